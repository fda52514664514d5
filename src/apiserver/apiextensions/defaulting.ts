// SPDX-License-Identifier: Apache-2.0
/**
 * Defaulting of custom resources from `default` in their structural schema,
 * as upstream's structuraldefaulting.Default: a missing (or null, when not
 * nullable) property with a default gets a copy of it, and defaults apply
 * inside defaulted values, list items and map values too.
 */
import { isObject, type JSONSchemaProps } from './types.js';

/** applyDefaults fills defaults into `value` in place. */
export function applyDefaults(schema: JSONSchemaProps, value: unknown): void {
  if (Array.isArray(value)) {
    const items = schema.items && !Array.isArray(schema.items) ? (schema.items as JSONSchemaProps) : undefined;
    if (items) for (const item of value) applyDefaults(items, item);
    return;
  }
  if (!isObject(value)) return;
  for (const [k, prop] of Object.entries(schema.properties ?? {})) {
    const missing = !(k in value) || (value[k] === null && !prop.nullable);
    if (missing && prop.default !== undefined) value[k] = structuredClone(prop.default);
    if (k in value) applyDefaults(prop, value[k]);
  }
  const extra = typeof schema.additionalProperties === 'object' ? (schema.additionalProperties as JSONSchemaProps) : undefined;
  if (extra) for (const [k, v] of Object.entries(value)) if (!schema.properties?.[k]) applyDefaults(extra, v);
}
