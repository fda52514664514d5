// SPDX-License-Identifier: Apache-2.0
/**
 * compare tells which fields an update added, modified and removed, as
 * upstream's TypedValue.Compare does: leaves (scalars, atomic lists and
 * maps, and lists or maps empty on both sides) are compared by value; a
 * granular list or map that appears or disappears is itself recorded as
 * added or removed besides its contents (hence the `.` entries of Update
 * managers).
 */
import { deepEqual } from './managed-object.js';
import { FieldSet } from './field-set.js';
import { fieldElement } from './path-element.js';
import { itemElement } from './list-item.js';
import { shapeOf, type ResolveRef, type SchemaNode, type Shape } from './type-shape.js';

/** Comparison is the result of compare. */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/**
 * compare walks both values; fields under a member of `skip` (fields nobody
 * owns here, such as status on the main resource) are not walked at all,
 * which spares large statuses on every write.
 */
export function compare(lhs: unknown, rhs: unknown, root: SchemaNode | undefined, resolve: ResolveRef, skip?: FieldSet): Comparison {
  const out: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walk(lhs, rhs, root, [], out, resolve, skip);
  return out;
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

function leaf(lhs: unknown, rhs: unknown, path: string[], out: Comparison): void {
  if (lhs === undefined && rhs === undefined) return;
  if (lhs === undefined) out.added.insert(path);
  else if (rhs === undefined) out.removed.insert(path);
  else if (!deepEqual(lhs, rhs)) out.modified.insert(path);
}

function walk(lhs: unknown, rhs: unknown, node: SchemaNode | undefined, path: string[], out: Comparison, resolve: ResolveRef, skip?: FieldSet): void {
  const ls = lhs === undefined ? undefined : shapeOf(node, lhs, resolve);
  const rs = rhs === undefined ? undefined : shapeOf(node, rhs, resolve);
  // Upstream handles each side's atom when the two disagree (a list replaced by a map): both are leaves then.
  // A null side (a Go zero value's nil list or map) takes the other side's shape: its contents are added or removed.
  let shape: Shape;
  if (lhs === null && rs) shape = rs;
  else if (rhs === null && ls) shape = ls;
  else shape = ls && rs && ls.kind !== rs.kind ? { kind: 'scalar' } : (rs ?? ls!);
  let inLeaf = false;
  if (shape.kind === 'scalar' || (shape.kind === 'list' && shape.relationship === 'atomic') || (shape.kind === 'map' && shape.atomic) || (isEmpty(lhs) && isEmpty(rhs))) {
    leaf(lhs, rhs, path, out);
    inLeaf = true;
  } else if (shape.kind === 'list') {
    walkList(lhs as unknown[] | undefined, rhs as unknown[] | undefined, shape, path, out, resolve);
  } else {
    const l = (lhs ?? {}) as Record<string, unknown>;
    const r = (rhs ?? {}) as Record<string, unknown>;
    if (!shape.atomic && (typeof l !== 'object' || typeof r !== 'object')) return;
    // A side with no keys (every field of a create) needs no union of key lists.
    const lk = Object.keys(l);
    const rk = Object.keys(r);
    for (const key of lk.length === 0 ? rk : rk.length === 0 ? lk : new Set([...lk, ...rk])) {
      const lv = l[key];
      const rv = r[key];
      if (lv === undefined && rv === undefined) continue;
      const pe = fieldElement(key);
      if (skip?.members.has(pe)) continue;
      if (lv === undefined) {
        walkAdded(rv, shape.field(key), out.added.at(path), pe, resolve, skip?.children.get(pe));
        continue;
      }
      // One path array for the whole walk: sets copy what they keep, so pushing and popping spares an array per node.
      path.push(pe);
      walk(lv, rv, shape.field(key), path, out, resolve, skip?.children.get(pe));
      path.pop();
    }
  }
  if (!inLeaf && path.length > 0) {
    if (lhs === undefined) out.added.insert(path);
    else if (rhs === undefined) out.removed.insert(path);
  }
}

function walkList(lhs: unknown[] | undefined, rhs: unknown[] | undefined, shape: Extract<Shape, { kind: 'list' }>, path: string[], out: Comparison, resolve: ResolveRef): void {
  const left = new Map<string, unknown>();
  (lhs ?? []).forEach((item, i) => left.set(itemElement(shape, item, i), item));
  const right = new Map<string, unknown>();
  (rhs ?? []).forEach((item, i) => right.set(itemElement(shape, item, i), item));
  for (const pe of left.size === 0 ? right.keys() : new Set([...right.keys(), ...left.keys()])) {
    const l = left.get(pe);
    const r = right.get(pe);
    if (l === undefined && r !== undefined) {
      walkAdded(r, shape.item, out.added.at(path), pe, resolve, undefined);
      continue;
    }
    path.push(pe);
    walk(l, r, shape.item, path, out, resolve);
    path.pop();
  }
}

/**
 * walkAdded is walk where the left side is absent (a field or item the
 * change adds, and every field of a create): everything under it is added,
 * and nothing modified or removed. It records into the added set's node of
 * the parent path (`parent`) instead of inserting each path from the root,
 * and makes the node of `pe` only once something is recorded under it, so
 * the set is the one walk records, node for node. `rhs` is never undefined.
 */
function walkAdded(rhs: unknown, node: SchemaNode | undefined, parent: FieldSet, pe: string, resolve: ResolveRef, skip: FieldSet | undefined): void {
  const shape = shapeOf(node, rhs, resolve);
  if (shape.kind === 'scalar' || (shape.kind === 'list' && shape.relationship === 'atomic') || (shape.kind === 'map' && shape.atomic) || isEmpty(rhs)) {
    parent.add(pe);
    return;
  }
  let own: FieldSet | undefined;
  if (shape.kind === 'list') {
    const items = new Map<string, unknown>();
    (rhs as unknown[]).forEach((item, i) => items.set(itemElement(shape, item, i), item));
    for (const [ie, item] of items) {
      // An undefined item (in-memory data only, never a decoded body) fails as the general walk fails on it.
      if (item === undefined) walk(undefined, item, shape.item, [], { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() }, resolve);
      walkAdded(item, shape.item, (own ??= parent.child(pe)), ie, resolve, undefined);
    }
  } else {
    const r = rhs as Record<string, unknown>;
    for (const key of Object.keys(r)) {
      const rv = r[key];
      if (rv === undefined) continue;
      const fe = fieldElement(key);
      if (skip?.members.has(fe)) continue;
      walkAdded(rv, shape.field(key), (own ??= parent.child(pe)), fe, resolve, skip?.children.get(fe));
    }
  }
  parent.add(pe);
}
