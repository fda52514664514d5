// SPDX-License-Identifier: Apache-2.0
/**
 * The run-time definitions a CRD serves: one per served version, sharing one
 * storage location (`/registry/<group>/<plural>/...`) in the storage
 * version. Conversion is `None`, as upstream's nopConverter (only apiVersion
 * changes between versions), or the CRD's conversion webhook.
 */
import type { KubeObject } from '../../api/index.js';
import type { ResourceInfo, SubresourceName, Verb } from '../../api/index.js';
import type { ResourceDefinition, VersionConverter } from '../definitions/index.js';
import { customResourceStrategy } from './cr-strategy.js';
import { webhookConverter, type ConversionWebhook } from './conversion-webhook.js';
import type { ServiceResolver } from '../admission/webhook/client.js';
import { customResourceModel } from './cr-openapi.js';
import { printerColumnsConvertor } from './printer-columns.js';
import { unknownFields } from './pruning.js';
import type { CustomResourceDefinition, CustomResourceDefinitionVersion, JSONSchemaProps } from './types.js';

const VERBS: Verb[] = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];

/** storageVersionOf is the version marked `storage`. */
export function storageVersionOf(crd: CustomResourceDefinition): string {
  return crd.spec.versions.find((v) => v.storage)?.name ?? crd.spec.versions[0]!.name;
}

/** customResourceDefinitions lists the definitions of every served version of an accepted CRD. */
export function customResourceDefinitions(crd: CustomResourceDefinition, resolve?: ServiceResolver): ResourceDefinition[] {
  const storage = storageVersionOf(crd);
  return crd.spec.versions.filter((v) => v.served).map((v) => versionDefinition(crd, v, storage, resolve));
}

/** converterOf picks the version converter: the conversion webhook (for every version) or None's apiVersion rewrite. */
function converterOf(crd: CustomResourceDefinition, version: string, storageVersion: string, resolve?: ServiceResolver): VersionConverter | undefined {
  const conversion = crd.spec.conversion as { strategy?: string; webhook?: ConversionWebhook } | undefined;
  const group = crd.spec.group;
  if (conversion?.strategy === 'Webhook' && conversion.webhook && resolve) {
    return webhookConverter(conversion.webhook, resolve, `${group}/${version}`, `${group}/${storageVersion}`);
  }
  return version === storageVersion ? undefined : noneConverter(`${group}/${storageVersion}`);
}

function versionDefinition(crd: CustomResourceDefinition, v: CustomResourceDefinitionVersion, storageVersion: string, resolve?: ServiceResolver): ResourceDefinition {
  const { group, names } = crd.spec;
  const schema: JSONSchemaProps = v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const subresources: SubresourceName[] = [];
  if (v.subresources?.status) subresources.push('status');
  if (v.subresources?.scale) subresources.push('scale');
  const info: ResourceInfo = {
    group,
    version: v.name,
    kind: names.kind,
    plural: names.plural,
    singular: names.singular ?? names.kind.toLowerCase(),
    namespaced: crd.spec.scope === 'Namespaced',
    shortNames: names.shortNames?.length ? names.shortNames : undefined,
    categories: names.categories?.length ? names.categories : undefined,
    verbs: VERBS,
    subresources,
    storage: { group, resource: names.plural, version: storageVersion },
    selectableFields: v.selectableFields?.length ? v.selectableFields.map((f) => f.jsonPath.replace(/^\./, '')) : undefined,
  };
  const scale = v.subresources?.scale;
  return {
    info,
    strategy: customResourceStrategy(schema),
    printer: printerColumnsConvertor(v.additionalPrinterColumns),
    // Upstream's customresource strategy bumps generation on every change outside metadata (and status, with a status subresource).
    tracksGeneration: true,
    converter: converterOf(crd, v.name, storageVersion, resolve),
    openAPI: customResourceModel(group, v.name, names.kind, names.listKind ?? `${names.kind}List`, schema),
    findUnknownFields: (obj) => unknownFields(schema, obj),
    scale: scale ? { specReplicasPath: scale.specReplicasPath, statusReplicasPath: scale.statusReplicasPath, labelSelectorPath: scale.labelSelectorPath } : undefined,
    strategicMergePatch: false,
    returnsDeletedObject: true,
  };
}

/** noneConverter stores objects in the storage version; reads get the served apiVersion back from the registry. */
function noneConverter(storageAPIVersion: string): VersionConverter {
  return {
    toStorage: (obj: KubeObject) => ({ ...obj, apiVersion: storageAPIVersion }),
    fromStorage: (obj: KubeObject) => obj,
  };
}
