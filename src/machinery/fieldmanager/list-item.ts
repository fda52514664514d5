// SPDX-License-Identifier: Apache-2.0
/** Identity of list items: the path element of one item of a granular list (upstream's listItemToPathElement). */
import { indexElement, keyElement, valueElement } from './path-element.js';
import type { Shape } from './type-shape.js';

/**
 * KEY_DEFAULTS are the schema defaults of list-map key fields, which
 * upstream uses for an item that omits a key field (ports without
 * `protocol` are keyed as TCP, the default their schema declares), so an
 * applied port matches the stored, defaulted one.
 */
const KEY_DEFAULTS: Readonly<Record<string, unknown>> = { protocol: 'TCP' };

/** itemElement is the path element of `item` at index `i` of a list of this shape. */
export function itemElement(shape: Extract<Shape, { kind: 'list' }>, item: unknown, i: number): string {
  if (shape.relationship === 'set') return valueElement(item);
  if (shape.relationship === 'map' && typeof item === 'object' && item !== null && !Array.isArray(item)) {
    const key: Record<string, unknown> = {};
    let found = false;
    for (const k of shape.keys) {
      const v = (item as Record<string, unknown>)[k];
      if (v !== undefined && v !== null) {
        key[k] = v;
        found = true;
      } else if (k in KEY_DEFAULTS) {
        key[k] = KEY_DEFAULTS[k];
      }
    }
    if (found) return keyElement(key);
  }
  return indexElement(i);
}
