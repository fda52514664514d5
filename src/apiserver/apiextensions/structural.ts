// SPDX-License-Identifier: Apache-2.0
/**
 * Checks that a CRD version's openAPIV3Schema is structural, as upstream's
 * apiextensions validation (ValidateStructural and the CRD schema checks):
 * every specified object field and array item has a type, the root is an
 * object, `x-kubernetes-*` extensions are used where they are allowed, and
 * only the JSON-Schema features apiextensions supports appear. Messages and
 * paths follow upstream (`...properties[spec].type: Required value: must not
 * be empty for specified object fields`).
 */
import { field, type FieldError } from '../../machinery/index.js';
import { child, key, type JSONSchemaProps } from './types.js';
import { compileRule } from './cel-rules.js';

const FORBIDDEN = ['$ref', 'additionalItems', 'patternProperties', 'dependencies', 'definitions', 'id', '$schema'] as const;

/** validateStructuralSchema checks the root schema at `path` (`spec.versions[0].schema.openAPIV3Schema`). */
export function validateStructuralSchema(schema: JSONSchemaProps | undefined, path: string, errs: FieldError[]): void {
  if (!schema) {
    errs.push(field.required(path, 'schemas are required'));
    return;
  }
  if (schema.type !== 'object') {
    if (!schema.type) errs.push(field.required(child(path, 'type'), 'must not be empty at the root'));
    else errs.push(field.invalid(child(path, 'type'), schema.type, 'must be object at the root'));
  }
  if (schema.nullable) errs.push(field.forbidden(child(path, 'nullable'), 'must be false at the root'));
  if (schema['x-kubernetes-int-or-string']) errs.push(field.forbidden(child(path, 'x-kubernetes-int-or-string'), 'must be false at the root'));
  for (const p of ['apiVersion', 'kind']) {
    const prop = schema.properties?.[p];
    if (prop && prop.type !== 'string') errs.push(field.invalid(child(key(child(path, 'properties'), p), 'type'), prop.type ?? '', 'must be string'));
  }
  walk(schema, path, errs, true);
}

function walk(s: JSONSchemaProps, path: string, errs: FieldError[], root: boolean): void {
  for (const f of FORBIDDEN) if ((s as Record<string, unknown>)[f] !== undefined) errs.push(field.forbidden(child(path, f), `${f} is not supported`));
  const typed = !!s.type || !!s['x-kubernetes-int-or-string'] || (!!s['x-kubernetes-preserve-unknown-fields'] && !s.properties && !s.items);
  if (!root && !typed) {
    errs.push(field.required(child(path, 'type'), 'must not be empty for specified object fields'));
  }
  if (s.type && !['object', 'array', 'string', 'integer', 'number', 'boolean'].includes(s.type)) {
    errs.push(field.notSupported(child(path, 'type'), s.type, ['array', 'boolean', 'integer', 'number', 'object', 'string']));
  }
  if (s['x-kubernetes-int-or-string'] && s.type) {
    errs.push(field.forbidden(child(path, 'type'), 'type must be empty if x-kubernetes-int-or-string is true'));
  }
  if (s['x-kubernetes-embedded-resource'] && s.type !== 'object') {
    errs.push(field.forbidden(child(path, 'type'), 'must be object if x-kubernetes-embedded-resource is true'));
  }
  if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false) {
    errs.push(field.forbidden(child(path, 'additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
  }
  if (s.type === 'array' && !s.items) errs.push(field.required(child(path, 'items'), 'must be specified'));
  const lt = s['x-kubernetes-list-type'];
  if (lt !== undefined) {
    if (!['atomic', 'set', 'map'].includes(lt)) errs.push(field.notSupported(child(path, 'x-kubernetes-list-type'), lt, ['atomic', 'set', 'map']));
    if (s.type !== 'array') errs.push(field.invalid(child(path, 'x-kubernetes-list-type'), lt, 'must only be used on type=array'));
    if (lt === 'map' && !s['x-kubernetes-list-map-keys']?.length) {
      errs.push(field.required(child(path, 'x-kubernetes-list-map-keys'), 'must not be empty if x-kubernetes-list-type is map'));
    }
  }
  (s['x-kubernetes-validations'] ?? []).forEach((rule, i) => {
    const rp = `${child(path, 'x-kubernetes-validations')}[${i}]`;
    if (!rule.rule) return errs.push(field.required(child(rp, 'rule'), ''));
    const { error } = compileRule(rule);
    if (error) errs.push(field.invalid(child(rp, 'rule'), rule.rule, error));
  });
  for (const [k, prop] of Object.entries(s.properties ?? {})) walk(prop, key(child(path, 'properties'), k), errs, false);
  if (s.items && !Array.isArray(s.items)) walkItems(s.items as JSONSchemaProps, child(path, 'items'), errs);
  if (typeof s.additionalProperties === 'object') walk(s.additionalProperties as JSONSchemaProps, child(path, 'additionalProperties'), errs, false);
  s.allOf?.forEach((sub, i) => walkJunctor(sub, `${child(path, 'allOf')}[${i}]`, errs));
  s.anyOf?.forEach((sub, i) => walkJunctor(sub, `${child(path, 'anyOf')}[${i}]`, errs));
  s.oneOf?.forEach((sub, i) => walkJunctor(sub, `${child(path, 'oneOf')}[${i}]`, errs));
}

function walkItems(items: JSONSchemaProps, path: string, errs: FieldError[]): void {
  if (!items.type && !items['x-kubernetes-int-or-string'] && !items['x-kubernetes-preserve-unknown-fields']) {
    errs.push(field.required(child(path, 'type'), 'must not be empty for specified array items'));
  }
  walk({ ...items, type: items.type ?? 'object' }, path, errs, true);
}

/** Value validations inside allOf/anyOf/oneOf may not declare types or defaults (structural rule). */
function walkJunctor(s: JSONSchemaProps, path: string, errs: FieldError[]): void {
  if (s.type) errs.push(field.forbidden(child(path, 'type'), 'must be empty to be structural'));
  if (s.default !== undefined) errs.push(field.forbidden(child(path, 'default'), 'must be undefined to be structural'));
}
