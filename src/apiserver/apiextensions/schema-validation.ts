// SPDX-License-Identifier: Apache-2.0
/**
 * Validation of a custom resource against its structural schema, with the
 * field paths and messages upstream's apiextensions-apiserver produces (its
 * kube-openapi validator's `spec.replicas in body must be of type integer:
 * "string"` wording, turned into field errors as validation.go does).
 */
import { field, type FieldError } from '../../machinery/index.js';
import { formatError } from './formats.js';
import { validateListType } from './list-types.js';
import { child, index, isObject, jsonType, type JSONSchemaProps } from './types.js';

/** validateValue checks `value` at `path` against `schema`, appending every finding to `errs`. */
export function validateValue(schema: JSONSchemaProps, value: unknown, path: string, errs: FieldError[]): void {
  if (value === null) {
    if (schema.nullable || !schema.type) return;
    errs.push(typeError(schema, path, 'null'));
    return;
  }
  if (!typeMatches(schema, value)) {
    errs.push(typeError(schema, path, jsonType(value)));
    return;
  }
  const at = path || '<nil>';
  if (schema.enum && !schema.enum.some((e) => sameJSON(e, value))) {
    errs.push(field.notSupported(path, value, schema.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))));
  }
  if (typeof value === 'string') validateString(schema, value, path, at, errs);
  if (typeof value === 'number') validateNumber(schema, value, path, at, errs);
  if (Array.isArray(value)) validateArray(schema, value, path, at, errs);
  else if (isObject(value)) validateObject(schema, value, path, at, errs);
  for (const sub of schema.allOf ?? []) validateValue(sub, value, path, errs);
}

function typeMatches(schema: JSONSchemaProps, value: unknown): boolean {
  if (schema['x-kubernetes-int-or-string']) return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
  switch (schema.type) {
    case undefined:
    case '':
      return true;
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    default:
      return false;
  }
}

function typeError(schema: JSONSchemaProps, path: string, got: string): FieldError {
  const want = schema['x-kubernetes-int-or-string'] ? 'integer,string' : String(schema.type);
  // validation.go: field.TypeInvalid(path, <type found>, "<path> in body must be of type <want>: \"<found>\"").
  return { type: 'FieldValueTypeInvalid', field: path, badValue: got, detail: `${path || '<nil>'} in body must be of type ${want}: ${JSON.stringify(got)}` };
}

function validateString(s: JSONSchemaProps, v: string, path: string, at: string, errs: FieldError[]): void {
  const len = [...v].length;
  if (s.maxLength !== undefined && len > s.maxLength) errs.push(field.tooLong(path, v, s.maxLength));
  if (s.minLength !== undefined && len < s.minLength) errs.push(field.invalid(path, v, `${at} in body should be at least ${s.minLength} chars long`));
  if (s.pattern !== undefined && !patternMatches(s.pattern, v)) errs.push(field.invalid(path, v, `${at} in body should match '${s.pattern}'`));
  if (s.format) {
    const bad = formatError(s.format, v);
    if (bad) errs.push(field.invalid(path, v, `${at} in body must be of type ${s.format}: ${JSON.stringify(v)}`));
  }
}

function patternMatches(pattern: string, v: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(v);
  } catch {
    return new RegExp(pattern).test(v);
  }
}

function validateNumber(s: JSONSchemaProps, v: number, path: string, at: string, errs: FieldError[]): void {
  if (s.maximum !== undefined) {
    if (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum) {
      errs.push(field.invalid(path, v, `${at} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
    }
  }
  if (s.minimum !== undefined) {
    if (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum) {
      errs.push(field.invalid(path, v, `${at} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
    }
  }
  if (s.multipleOf !== undefined && s.multipleOf !== 0 && !Number.isInteger(v / s.multipleOf)) {
    errs.push(field.invalid(path, v, `${at} in body should be a multiple of ${s.multipleOf}`));
  }
}

function validateArray(s: JSONSchemaProps, v: unknown[], path: string, at: string, errs: FieldError[]): void {
  if (s.maxItems !== undefined && v.length > s.maxItems) errs.push(field.tooMany(path, v.length, s.maxItems));
  if (s.minItems !== undefined && v.length < s.minItems) errs.push(field.invalid(path, v.length, `${at} in body should have at least ${s.minItems} items`));
  if (s.uniqueItems && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) errs.push(field.duplicate(path, v));
  const items = s.items && !Array.isArray(s.items) ? (s.items as JSONSchemaProps) : undefined;
  if (items) v.forEach((item, i) => validateValue(items, item, index(path, i), errs));
  validateListType(s, v, path, errs);
}

function validateObject(s: JSONSchemaProps, v: Record<string, unknown>, path: string, at: string, errs: FieldError[]): void {
  const n = Object.keys(v).length;
  if (s.maxProperties !== undefined && n > s.maxProperties) errs.push(field.tooMany(path, n, s.maxProperties));
  if (s.minProperties !== undefined && n < s.minProperties) errs.push(field.invalid(path, n, `${at} in body should have at least ${s.minProperties} properties`));
  for (const r of s.required ?? []) if (v[r] === undefined) errs.push(field.required(child(path, r), ''));
  if (s['x-kubernetes-embedded-resource']) {
    for (const r of ['apiVersion', 'kind']) if (!(r in v) && !s.required?.includes(r)) errs.push(field.required(child(path, r), ''));
  }
  const extra = typeof s.additionalProperties === 'object' ? (s.additionalProperties as JSONSchemaProps) : undefined;
  for (const [k, val] of Object.entries(v)) {
    if (val === undefined) continue; // absent in JSON
    const prop = s.properties?.[k];
    if (prop) validateValue(prop, val, child(path, k), errs);
    else if (extra) validateValue(extra, val, child(path, k), errs);
  }
}

function sameJSON(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
