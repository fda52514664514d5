// SPDX-License-Identifier: Apache-2.0
/**
 * `x-kubernetes-list-type` checks on custom resources, as upstream's
 * listtype validation: a `set` holds no duplicates, a `map` no two items
 * with the same values of `x-kubernetes-list-map-keys`.
 */
import { field, type FieldError } from '../../machinery/index.js';
import { index, isObject, type JSONSchemaProps } from './types.js';

export function validateListType(s: JSONSchemaProps, v: unknown[], path: string, errs: FieldError[]): void {
  const type = s['x-kubernetes-list-type'];
  if (type === 'set') {
    const seen = new Set<string>();
    v.forEach((item, i) => {
      const k = JSON.stringify(item);
      if (seen.has(k)) errs.push(field.duplicate(index(path, i), item));
      seen.add(k);
    });
  } else if (type === 'map') {
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Set<string>();
    v.forEach((item, i) => {
      if (!isObject(item)) return;
      const id: Record<string, unknown> = {};
      for (const k of keys) if (k in item) id[k] = item[k];
      const k = JSON.stringify(id);
      if (seen.has(k)) errs.push(field.duplicate(index(path, i), id));
      seen.add(k);
    });
  }
}
