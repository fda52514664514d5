// SPDX-License-Identifier: Apache-2.0
/**
 * changedFieldsV1 is the FieldsV1 of what compare finds added or modified,
 * written in one walk without building field sets and encoding them. A
 * create records exactly that for its manager (upstream's FieldManager
 * computes a create's managed set from the object, against the empty
 * object of the kind): walking into sets and encoding those was most of the
 * work of a create's managedFields. The walk follows compare's rules case by
 * case; compare-added.test.ts holds the two to the same answers.
 */
import { compare } from './compare.js';
import { deepEqual } from './managed-object.js';
import { sortElements, type FieldsV1, type FieldSet } from './field-set.js';
import { itemElement } from './list-item.js';
import { fieldElement } from './path-element.js';
import { shapeOf, type ResolveRef, type SchemaNode, type Shape } from './type-shape.js';

/**
 * An element's part of the encoding: undefined when nothing under it
 * changed, null when it is a member without changed children (`{}`), else
 * its children (starting with `.` when it is a member too).
 */
type Encoded = FieldsV1 | null | undefined;

/** changedFieldsV1 is `toFieldsV1()` of compare(lhs, rhs, root, resolve, skip)'s added and modified fields together. */
export function changedFieldsV1(lhs: unknown, rhs: unknown, root: SchemaNode | undefined, resolve: ResolveRef, skip?: FieldSet): FieldsV1 {
  const out = lhs === undefined ? (rhs === undefined ? failAsCompare(root, resolve) : added(rhs, root, resolve, skip, false)) : changed(lhs, rhs, root, resolve, skip, true);
  return out ?? {};
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

function isLeaf(shape: Shape): boolean {
  return shape.kind === 'scalar' || (shape.kind === 'list' && shape.relationship === 'atomic') || (shape.kind === 'map' && shape.atomic);
}

/** failAsCompare: compare fails on a field absent on both sides (an undefined list item), and so does this. */
function failAsCompare(node: SchemaNode | undefined, resolve: ResolveRef): never {
  compare(undefined, undefined, node, resolve);
  throw new TypeError('compare of two absent values');
}

/** Entries are an element's children as they are found: names and encodings paired by index. */
interface Entries {
  pes: string[];
  values: FieldsV1[];
}

/** build writes the elements in upstream's order, `.` first for a member. */
function build(entries: Entries, member: boolean): FieldsV1 {
  const { pes, values } = entries;
  sortElements(pes, values);
  const out: FieldsV1 = member ? { '.': {} } : {};
  for (let i = 0; i < pes.length; i++) out[pes[i]] = values[i];
  return out;
}

/** added encodes a value the left side lacks: it is a member (but the root) and so is everything under it. */
function added(rhs: unknown, node: SchemaNode | undefined, resolve: ResolveRef, skip: FieldSet | undefined, member: boolean): Encoded {
  const shape = shapeOf(node, rhs, resolve);
  if (isLeaf(shape) || isEmpty(rhs)) return member ? null : undefined;
  const entries: Entries = { pes: [], values: [] };
  if (shape.kind === 'list') {
    const items = new Map<string, unknown>();
    (rhs as unknown[]).forEach((item, i) => items.set(itemElement(shape, item, i), item));
    for (const [ie, item] of items) {
      if (item === undefined) failAsCompare(shape.item, resolve);
      entries.pes.push(ie);
      entries.values.push(added(item, shape.item, resolve, undefined, true) ?? {});
    }
  } else {
    const map = shape as Extract<Shape, { kind: 'map' }>;
    const r = rhs as Record<string, unknown>;
    for (const key of Object.keys(r)) {
      const rv = r[key];
      if (rv === undefined) continue;
      const pe = fieldElement(key);
      if (skip?.members.has(pe)) continue;
      entries.pes.push(pe);
      entries.values.push(added(rv, map.field(key), resolve, skip?.children.get(pe), true) ?? {});
    }
  }
  if (entries.pes.length === 0) return member ? null : undefined;
  return build(entries, member);
}

/** changed encodes a value present on the left: it is never a member itself (added is, removed is not changed), only modified leaves are. */
function changed(lhs: unknown, rhs: unknown, node: SchemaNode | undefined, resolve: ResolveRef, skip: FieldSet | undefined, root: boolean): Encoded {
  const ls = shapeOf(node, lhs, resolve);
  const rs = rhs === undefined ? undefined : shapeOf(node, rhs, resolve);
  let shape: Shape;
  if (lhs === null && rs) shape = rs;
  else if (rhs === null) shape = ls;
  else shape = rs && ls.kind !== rs.kind ? { kind: 'scalar' } : (rs ?? ls);
  if (isLeaf(shape) || (isEmpty(lhs) && isEmpty(rhs))) {
    return !root && rhs !== undefined && !deepEqual(lhs, rhs) ? null : undefined;
  }
  const entries: Entries = { pes: [], values: [] };
  const record = (pe: string, l: unknown, r: unknown, n: SchemaNode | undefined, s: FieldSet | undefined): void => {
    const e = l === undefined ? (r === undefined ? failAsCompare(n, resolve) : added(r, n, resolve, s, true)) : changed(l, r, n, resolve, s, false);
    if (e === undefined) return;
    entries.pes.push(pe);
    entries.values.push(e ?? {});
  };
  if (shape.kind === 'list') {
    const left = new Map<string, unknown>();
    ((lhs ?? []) as unknown[]).forEach((item, i) => left.set(itemElement(shape, item, i), item));
    const right = new Map<string, unknown>();
    ((rhs ?? []) as unknown[]).forEach((item, i) => right.set(itemElement(shape, item, i), item));
    for (const pe of new Set([...right.keys(), ...left.keys()])) record(pe, left.get(pe), right.get(pe), shape.item, undefined);
  } else {
    const map = shape as Extract<Shape, { kind: 'map' }>;
    const l = (lhs ?? {}) as Record<string, unknown>;
    const r = (rhs ?? {}) as Record<string, unknown>;
    if (!map.atomic && (typeof l !== 'object' || typeof r !== 'object')) return undefined;
    for (const key of new Set([...Object.keys(l), ...Object.keys(r)])) {
      const lv = l[key];
      const rv = r[key];
      if (lv === undefined && rv === undefined) continue;
      const pe = fieldElement(key);
      if (skip?.members.has(pe)) continue;
      record(pe, lv, rv, map.field(key), skip?.children.get(pe));
    }
  }
  return entries.pes.length === 0 ? undefined : build(entries, false);
}
