// SPDX-License-Identifier: Apache-2.0
/**
 * Validation of CustomResourceDefinitions, after upstream's apiextensions
 * validation.go: name, group, scope, names, versions (exactly one storage
 * version, unique DNS-1035 names), structural schemas, subresources and
 * printer columns; on update, the immutable group and scope and the stored
 * versions that must stay listed.
 */
import type { ConversionWebhook } from './conversion-webhook.js';
import { validateClientConfig, validateReviewVersions } from '../admission/webhook/configuration.js';
import { field, type FieldError } from '../../machinery/index.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain } from '../../api/index.js';
import { validateStructuralSchema } from './structural.js';
import { parseJSONPath } from './jsonpath.js';
import type { CustomResourceDefinition, CustomResourceDefinitionVersion } from './types.js';

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];

/** validateCRD checks a whole CRD (create and update). */
export function validateCRD(crd: CustomResourceDefinition): FieldError[] {
  const errs: FieldError[] = [];
  const spec = crd.spec ?? ({} as CustomResourceDefinition['spec']);
  const names = spec.names ?? ({} as CustomResourceDefinition['spec']['names']);
  const expected = `${names.plural ?? ''}.${spec.group ?? ''}`;
  if (crd.metadata?.name !== expected) errs.push(field.invalid('metadata.name', crd.metadata?.name ?? '', 'must be spec.names.plural+"."+spec.group'));
  if (!spec.group) errs.push(field.required('spec.group', ''));
  else {
    for (const m of isDNS1123Subdomain(spec.group)) errs.push(field.invalid('spec.group', spec.group, m));
    if (spec.group.split('.').length < 2) errs.push(field.invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
  }
  if (!spec.scope) errs.push(field.required('spec.scope', ''));
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') errs.push(field.notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  validateNames(names, errs);
  validateVersions(spec.versions ?? [], errs);
  const conv = spec.conversion?.strategy;
  if (conv && conv !== 'None' && conv !== 'Webhook') errs.push(field.notSupported('spec.conversion.strategy', conv, ['None', 'Webhook']));
  const hook = (spec.conversion as { webhook?: ConversionWebhook } | undefined)?.webhook;
  if (conv === 'Webhook') {
    // Upstream's validateCustomResourceConversion: a client config and a review version this server speaks.
    if (!hook?.clientConfig) errs.push(field.required('spec.conversion.webhook.clientConfig', 'required when strategy is set to Webhook'));
    else errs.push(...validateClientConfig(hook.clientConfig, 'spec.conversion.webhook.clientConfig'));
    errs.push(...validateReviewVersions(hook?.conversionReviewVersions, 'spec.conversion.webhook.conversionReviewVersions'));
  } else if (hook) {
    errs.push(field.forbidden('spec.conversion.webhook', 'should not be set when strategy is not set to Webhook'));
  }
  return errs;
}

/** validateCRDUpdate adds upstream's update rules: group, scope and kind names are fixed once served. */
export function validateCRDUpdate(crd: CustomResourceDefinition, old: CustomResourceDefinition): FieldError[] {
  const errs: FieldError[] = [];
  if (crd.spec?.group !== old.spec?.group) errs.push(field.invalid('spec.group', crd.spec?.group ?? '', 'field is immutable'));
  if (crd.spec?.scope !== old.spec?.scope) errs.push(field.invalid('spec.scope', crd.spec?.scope ?? '', 'field is immutable'));
  const served = new Set((crd.spec?.versions ?? []).map((v) => v.name));
  (old.status?.storedVersions ?? []).forEach((v, i) => {
    if (!served.has(v)) errs.push(field.invalid(`status.storedVersions[${i}]`, v, 'must appear in spec.versions'));
  });
  return errs;
}

function validateNames(names: CustomResourceDefinition['spec']['names'], errs: FieldError[]): void {
  const label = (path: string, v: string | undefined, required: boolean): void => {
    if (!v) {
      if (required) errs.push(field.required(path, ''));
      return;
    }
    for (const m of isDNS1123Label(v)) errs.push(field.invalid(path, v, m));
  };
  label('spec.names.plural', names.plural, true);
  label('spec.names.singular', names.singular, false);
  (names.shortNames ?? []).forEach((s, i) => label(`spec.names.shortNames[${i}]`, s, true));
  (names.categories ?? []).forEach((s, i) => label(`spec.names.categories[${i}]`, s, true));
  if (!names.kind) errs.push(field.required('spec.names.kind', ''));
  else for (const m of isDNS1035Label(names.kind.toLowerCase())) errs.push(field.invalid('spec.names.kind', names.kind, m));
  if (names.listKind !== undefined && names.listKind === names.kind) errs.push(field.invalid('spec.names.listKind', names.listKind, 'kind and listKind may not be the same'));
}

function validateVersions(versions: CustomResourceDefinitionVersion[], errs: FieldError[]): void {
  if (versions.length === 0) {
    errs.push(field.invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
    return;
  }
  const storage = versions.filter((v) => v.storage).length;
  if (storage !== 1) errs.push(field.invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const path = `spec.versions[${i}]`;
    if (!v.name) errs.push(field.required(`${path}.name`, ''));
    else {
      for (const m of isDNS1035Label(v.name)) errs.push(field.invalid(`${path}.name`, v.name, m));
      if (seen.has(v.name)) errs.push(field.duplicate(`${path}.name`, v.name));
      seen.add(v.name);
    }
    validateStructuralSchema(v.schema?.openAPIV3Schema, `${path}.schema.openAPIV3Schema`, errs);
    validateSubresources(v, path, errs);
    (v.selectableFields ?? []).forEach((f, j) => {
      const fp = `${path}.selectableFields[${j}].jsonPath`;
      if (!f.jsonPath) errs.push(field.required(fp, ''));
      else if (!/^(\.[A-Za-z0-9_-]+)+$/.test(f.jsonPath)) errs.push(field.invalid(fp, f.jsonPath, 'must be a simple field path'));
    });
    if ((v.selectableFields?.length ?? 0) > 8) errs.push(field.tooMany(`${path}.selectableFields`, v.selectableFields!.length, 8));
    (v.additionalPrinterColumns ?? []).forEach((c, j) => {
      const cp = `${path}.additionalPrinterColumns[${j}]`;
      if (!c.name) errs.push(field.required(`${cp}.name`, ''));
      if (!COLUMN_TYPES.includes(c.type)) errs.push(field.notSupported(`${cp}.type`, c.type, COLUMN_TYPES));
      if (!c.jsonPath) errs.push(field.required(`${cp}.jsonPath`, ''));
      else if (!jsonPathParses(c.jsonPath)) errs.push(field.invalid(`${cp}.jsonPath`, c.jsonPath, 'must be a simple json path'));
    });
  });
  if (versions.length > 0 && !versions.some((v) => v.served)) errs.push(field.invalid('spec.versions', versions, 'must have at least one served version'));
}

function validateSubresources(v: CustomResourceDefinitionVersion, path: string, errs: FieldError[]): void {
  const scale = v.subresources?.scale;
  if (!scale) return;
  const sp = `${path}.subresources.scale`;
  if (!scale.specReplicasPath) errs.push(field.required(`${sp}.specReplicasPath`, ''));
  else if (!scale.specReplicasPath.startsWith('.spec.')) errs.push(field.invalid(`${sp}.specReplicasPath`, scale.specReplicasPath, 'should be a json path under .spec'));
  if (!scale.statusReplicasPath) errs.push(field.required(`${sp}.statusReplicasPath`, ''));
  else if (!scale.statusReplicasPath.startsWith('.status.')) errs.push(field.invalid(`${sp}.statusReplicasPath`, scale.statusReplicasPath, 'should be a json path under .status'));
  if (scale.labelSelectorPath && !/^\.(spec|status)\./.test(scale.labelSelectorPath)) {
    errs.push(field.invalid(`${sp}.labelSelectorPath`, scale.labelSelectorPath, 'should be a json path under either .spec or .status'));
  }
}

function jsonPathParses(p: string): boolean {
  try {
    parseJSONPath(p);
    return true;
  } catch {
    return false;
  }
}
