// SPDX-License-Identifier: Apache-2.0
/**
 * Pruning of fields a structural schema does not declare, as upstream's
 * structuralpruning.Prune: unknown fields are dropped unless the schema
 * preserves them (`x-kubernetes-preserve-unknown-fields`) or is a map
 * (`additionalProperties`). At the root, and in embedded resources,
 * apiVersion, kind and metadata always stay. The dropped paths are what
 * fieldValidation=Strict|Warn reports as unknown fields.
 */
import { child, index, isObject, type JSONSchemaProps } from './types.js';

const TYPE_META = ['apiVersion', 'kind', 'metadata'];

/** prune removes undeclared fields from `obj` (the whole object) in place and returns their paths. */
export function prune(schema: JSONSchemaProps, obj: Record<string, unknown>): string[] {
  const dropped: string[] = [];
  pruneObject(schema, obj, '', true, dropped);
  return dropped;
}

/** unknownFields lists the fields prune would drop, without changing `obj`. */
export function unknownFields(schema: JSONSchemaProps, obj: unknown): string[] {
  if (!isObject(obj)) return [];
  return prune(schema, structuredClone(obj));
}

function pruneValue(schema: JSONSchemaProps | undefined, value: unknown, path: string, dropped: string[]): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    const items = schema.items && !Array.isArray(schema.items) ? (schema.items as JSONSchemaProps) : undefined;
    if (items) value.forEach((item, i) => pruneValue(items, item, index(path, i), dropped));
    return;
  }
  if (isObject(value)) pruneObject(schema, value, path, !!schema['x-kubernetes-embedded-resource'], dropped);
}

function pruneObject(schema: JSONSchemaProps, value: Record<string, unknown>, path: string, keepTypeMeta: boolean, dropped: string[]): void {
  const extra = typeof schema.additionalProperties === 'object' ? (schema.additionalProperties as JSONSchemaProps) : undefined;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true || schema.additionalProperties === true;
  for (const k of Object.keys(value)) {
    const p = child(path, k);
    const prop = schema.properties?.[k];
    // Object metadata is the server's to check, never the schema's to prune.
    if (keepTypeMeta && TYPE_META.includes(k)) continue;
    if (prop) pruneValue(prop, value[k], p, dropped);
    else if (extra) pruneValue(extra, value[k], p, dropped);
    else if (!preserve) {
      delete value[k];
      dropped.push(p);
    }
  }
}
