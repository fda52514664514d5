// SPDX-License-Identifier: Apache-2.0
/**
 * merge lays an applied configuration over the live object, as upstream's
 * TypedValue.Merge does for server-side apply: granular maps merge key by
 * key, associative and set lists merge item by item (items only the live
 * object has keep their place, shared items follow the configuration's
 * order), and scalars, atomic lists and atomic maps are replaced whole. A
 * null in the configuration clears the field.
 */
import { deepClone } from './managed-object.js';
import { itemElement } from './list-item.js';
import { shapeOf, type ResolveRef, type SchemaNode, type Shape } from './type-shape.js';

export function merge(live: unknown, config: unknown, root: SchemaNode | undefined, resolve: ResolveRef): unknown {
  return mergeValue(live, config, root, resolve);
}

function mergeValue(lhs: unknown, rhs: unknown, node: SchemaNode | undefined, resolve: ResolveRef): unknown {
  if (rhs === undefined) return lhs;
  if (lhs === undefined || lhs === null || rhs === null) return deepClone(rhs);
  const ls = shapeOf(node, lhs, resolve);
  const rs = shapeOf(node, rhs, resolve);
  if (ls.kind !== rs.kind || rs.kind === 'scalar') return deepClone(rhs);
  if (rs.kind === 'list') {
    if (rs.relationship === 'atomic') return deepClone(rhs);
    return mergeList(lhs as unknown[], rhs as unknown[], rs, resolve);
  }
  if (rs.atomic) return deepClone(rhs);
  const out: Record<string, unknown> = { ...(lhs as Record<string, unknown>) };
  for (const [key, value] of Object.entries(rhs as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (value === null) {
      delete out[key];
      continue;
    }
    out[key] = mergeValue(out[key], value, rs.field(key), resolve);
  }
  return out;
}

function mergeList(lhs: unknown[], rhs: unknown[], shape: Extract<Shape, { kind: 'list' }>, resolve: ResolveRef): unknown[] {
  const lPE = lhs.map((item, i) => itemElement(shape, item, i));
  const rPE = rhs.map((item, i) => itemElement(shape, item, i));
  const lMap = new Map<string, unknown>();
  lPE.forEach((pe, i) => lMap.set(pe, lhs[i]));
  const rMap = new Map<string, unknown>();
  rPE.forEach((pe, i) => rMap.set(pe, rhs[i]));
  const shared = rPE.filter((pe) => lMap.has(pe));
  let nextShared = 0;
  const merged = new Set<string>();
  const out: unknown[] = [];
  const take = (pe: string) => {
    merged.add(pe);
    out.push(mergeValue(lMap.get(pe), rMap.get(pe), shape.item, resolve));
    if (shared[nextShared] === pe) nextShared++;
  };
  let li = 0;
  let ri = 0;
  while (li < lPE.length || ri < rPE.length) {
    if (li < lPE.length && ri < rPE.length) {
      const pe = lPE[li];
      if (pe === rPE[ri]) {
        take(pe);
        li++;
        ri++;
        continue;
      }
      // A shared item met out of the configuration's order waits for its turn.
      if (rMap.has(pe) && nextShared < shared.length && shared[nextShared] !== pe) {
        li++;
        continue;
      }
    }
    if (li < lPE.length) {
      const pe = lPE[li];
      if (!rMap.has(pe)) {
        out.push(lhs[li]);
        li++;
        continue;
      }
      if (merged.has(pe)) {
        li++;
        continue;
      }
    }
    if (ri < rPE.length) {
      const pe = rPE[ri];
      ri++;
      if (merged.has(pe)) continue;
      take(pe);
    }
  }
  return out;
}

/** removePaths deletes each path of `paths` from `obj` (in place), navigating lists by their item elements. */
export function removePaths(obj: unknown, paths: readonly (readonly string[])[], root: SchemaNode | undefined, resolve: ResolveRef): void {
  for (const path of paths) removePath(obj, path, 0, root, resolve);
}

function removePath(value: unknown, path: readonly string[], at: number, node: SchemaNode | undefined, resolve: ResolveRef): void {
  if (value === null || typeof value !== 'object') return;
  const pe = path[at];
  const last = at === path.length - 1;
  const shape = shapeOf(node, value, resolve);
  if (shape.kind === 'list') {
    const list = value as unknown[];
    const i = list.findIndex((item, idx) => itemElement(shape, item, idx) === pe);
    if (i < 0) return;
    if (last) list.splice(i, 1);
    else removePath(list[i], path, at + 1, shape.item, resolve);
    return;
  }
  if (shape.kind !== 'map' || pe[0] !== 'f') return;
  const name = pe.slice(2);
  const obj = value as Record<string, unknown>;
  if (!(name in obj)) return;
  if (last) delete obj[name];
  else removePath(obj[name], path, at + 1, shape.field(name), resolve);
}
