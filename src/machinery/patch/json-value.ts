// SPDX-License-Identifier: Apache-2.0
/**
 * Small operations on decoded JSON values shared by the three patch formats.
 * Patches are applied to private copies, so these mutate freely; setOwn keeps
 * a key such as `__proto__` an ordinary data property instead of touching the
 * prototype of the object.
 */

/** JsonObject is a decoded JSON object. */
export type JsonObject = Record<string, unknown>;

/** JsonType names the JSON type of a value; numbers are one type, unlike Go's int64/float64 split. */
export type JsonType = 'null' | 'object' | 'array' | 'string' | 'number' | 'boolean';

/** jsonType reports the JSON type of a decoded value (undefined counts as null). */
export function jsonType(v: unknown): JsonType {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'object':
      return 'object';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      return 'string';
  }
}

/** isJsonObject narrows a value to a JSON object (not an array, not null). */
export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** hasOwn tells whether an object has a key of its own. */
export function hasOwn(o: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** setOwn sets a key as an own data property, even for `__proto__`. */
export function setOwn(o: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
}

/** jsonEqual compares two decoded JSON values structurally; object key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ta = jsonType(a);
  if (ta !== jsonType(b)) return false;
  if (ta === 'array') {
    const x = a as unknown[];
    const y = b as unknown[];
    return x.length === y.length && x.every((v, i) => jsonEqual(v, y[i]));
  }
  if (ta === 'object') {
    const x = a as JsonObject;
    const y = b as JsonObject;
    const keys = Object.keys(x);
    return keys.length === Object.keys(y).length && keys.every((k) => hasOwn(y, k) && jsonEqual(x[k], y[k]));
  }
  return ta === 'null';
}

/** cloneJson deep-copies a decoded JSON value so a patch never mutates its caller's data. */
export function cloneJson<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}
