// SPDX-License-Identifier: Apache-2.0
/**
 * toFieldSet lists the fields an object sets, as upstream's
 * TypedValue.ToFieldSet does for an applied configuration: every scalar,
 * every atomic list or map, every list item (so list items carry a `.`), and
 * map entries that are null, empty objects or not declared fields of a
 * struct (map keys such as labels).
 */
import { FieldSet } from './field-set.js';
import { fieldElement } from './path-element.js';
import { itemElement } from './list-item.js';
import { shapeOf, type ResolveRef, type SchemaNode } from './type-shape.js';

export function toFieldSet(obj: unknown, root: SchemaNode | undefined, resolve: ResolveRef): FieldSet {
  const set = new FieldSet();
  walk(obj, root, [], set, resolve);
  return set;
}

function walk(value: unknown, node: SchemaNode | undefined, path: string[], set: FieldSet, resolve: ResolveRef): void {
  const shape = shapeOf(node, value, resolve);
  if (shape.kind === 'scalar') {
    set.insert(path);
    return;
  }
  if (shape.kind === 'list') {
    if (shape.relationship === 'atomic') {
      set.insert(path);
      return;
    }
    (value as unknown[]).forEach((item, i) => {
      const p = [...path, itemElement(shape, item, i)];
      walk(item, shape.item, p, set, resolve);
      set.insert(p);
    });
    return;
  }
  if (shape.atomic) {
    set.insert(path);
    return;
  }
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (child === undefined) continue;
    const p = [...path, fieldElement(key)];
    walk(child, shape.field(key), p, set, resolve);
    const emptyObject = typeof child === 'object' && child !== null && !Array.isArray(child) && Object.keys(child).length === 0;
    if (child === null || emptyObject || !shape.declared(key)) set.insert(p);
  }
}
