// SPDX-License-Identifier: Apache-2.0
/**
 * Merging of lists whose field has `patchStrategy: merge`, and the element
 * order of the result, following apimachinery strategicpatch (mergeSlice,
 * mergeSliceWithSpecialElements, normalizeElementOrder, mergeSortedSlice):
 * lists of objects merge element by element on the merge key, lists of
 * scalars merge as sets; patch elements keep the patch's order, live-only
 * elements keep theirs, interleaved by their positions in the live list.
 */
import { badPatchFormat, errBadArgType, errBadPatchType, errNoListOfLists, errNoMergeKey, goValue, newPatchFailure } from './patch-errors.js';
import type { FieldPatchMeta, PatchMeta } from './patch-meta.js';
import { hasOwn, isJsonObject, jsonType, type JsonObject, type JsonType } from './json-value.js';
import { directive, withoutDirectiveKeys } from './strategic-merge-directives.js';

/** MapMerger merges a patch map into an original map (strategic-merge.ts supplies it, avoiding an import cycle). */
export type MapMerger = (original: JsonObject, patch: JsonObject, schema: PatchMeta | undefined) => JsonObject;

/** ListMergeInput names the parts of one list merge. */
export interface ListMergeInput {
  name: string;
  original: unknown[];
  patch: unknown[];
  field: FieldPatchMeta | undefined;
  /** The patch list is a `$deleteFromPrimitiveList/<name>` list of values to remove. */
  deleteList: boolean;
  mergeMap: MapMerger;
}

/**
 * ListMergeResult is a merged list plus the live order a following
 * `$setElementOrder` pass must use. Upstream deletes matching elements from the
 * live slice in place and appends new ones into the freed capacity, so the
 * caller's view of the live list becomes "survivors, then as many new elements
 * as were deleted"; the order pass reads that view, and the result order of
 * "add one element, delete another" in one kubectl apply depends on it.
 */
export interface ListMergeResult {
  merged: unknown[];
  liveOrder: unknown[];
}

/** mergeList merges a patch list into the live list of a merge-strategy field. */
export function mergeList(input: ListMergeInput): ListMergeResult {
  const { original, patch, field } = input;
  if (original.length === 0 && patch.length === 0) return { merged: original, liveOrder: original };
  const kind = elementType([original, patch]);
  const mergeKey = field?.mergeKey ?? '';
  if (kind !== 'object') {
    if (input.deleteList) return { merged: original.filter((v) => !patch.includes(v)), liveOrder: original };
    const merged = [...new Set([...original, ...patch])];
    return { merged: orderMerged(merged, patch, original, ''), liveOrder: original };
  }
  if (input.deleteList) throw badPatchFormat.primitiveList();
  if (!mergeKey) throw newPatchFailure(`cannot merge lists without merge key for ${input.name}`);
  const special = withoutSpecialElements(original as JsonObject[], patch as JsonObject[], mergeKey);
  const { merged, appended } = mergeByKey(special.original, special.patch, mergeKey, field?.schema, input.mergeMap);
  const deleted = special.replaced ? 0 : original.length - special.original.length;
  const liveOrder = deleted > 0 ? [...special.original, ...appended.slice(0, deleted)] : original;
  return { merged: orderMerged(merged, special.patch, special.original, mergeKey), liveOrder };
}

/** elementType is sliceElementType: all elements of the lists share one JSON type, and none is a list. */
export function elementType(lists: unknown[][]): JsonType | undefined {
  let seen: JsonType | undefined;
  for (const v of lists.flat()) {
    const t = jsonType(v);
    if (seen === undefined) {
      if (t === 'array') throw errNoListOfLists();
      seen = t;
    } else if (t !== seen) {
      throw newPatchFailure(`list element types are not identical: ${goValue(lists)}`);
    }
  }
  return seen;
}

/**
 * withoutSpecialElements applies the `$patch` elements of a patch list:
 * `delete` removes live elements with that key, `replace` makes the rest of the
 * patch the whole list, `merge` is refused as upstream still refuses it.
 */
function withoutSpecialElements(original: JsonObject[], patch: JsonObject[], mergeKey: string): { original: unknown[]; patch: JsonObject[]; replaced: boolean } {
  let base: unknown[] = original;
  const rest: JsonObject[] = [];
  let replace = false;
  for (const item of patch) {
    if (!hasOwn(item, directive.patch)) {
      rest.push(item);
      continue;
    }
    const d = item[directive.patch];
    if (d === directive.delete) {
      if (!hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
      base = base.filter((o) => !(isJsonObject(o) && hasOwn(o, mergeKey) && o[mergeKey] === item[mergeKey]));
    } else if (d === directive.replace) {
      replace = true;
    } else if (d === directive.merge) {
      throw newPatchFailure('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(d, item);
    }
  }
  return replace ? { original: rest.map(withoutDirectiveKeys), patch: [], replaced: true } : { original: base, patch: rest, replaced: false };
}

function mergeByKey(
  original: unknown[],
  patch: JsonObject[],
  mergeKey: string,
  schema: PatchMeta | undefined,
  mergeMap: MapMerger,
): { merged: unknown[]; appended: unknown[] } {
  const merged = original.slice();
  const appended: unknown[] = [];
  for (const item of patch) {
    if (!hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    const i = merged.findIndex((o) => isJsonObject(o) && hasOwn(o, mergeKey) && o[mergeKey] === item[mergeKey]);
    if (i >= 0) {
      merged[i] = mergeMap(merged[i] as JsonObject, item, schema);
    } else {
      const added = withoutDirectiveKeys(item);
      merged.push(added);
      appended.push(added);
    }
  }
  return { merged, appended };
}

/** orderMerged enforces the order of a merged list: patch items in patch order, live-only items around them. */
function orderMerged(merged: unknown[], patch: unknown[], serverOrder: unknown[], mergeKey: string): unknown[] {
  const { inPatch, serverOnly } = partitionByPresence(merged, patch, mergeKey);
  return normalizeElementOrder({ patchItems: inPatch, serverOnly, patchOrder: patch, serverOrder, mergeKey });
}

/** partitionByPresence splits items into those present in `by` (compared by merge key, or by value) and the rest. */
export function partitionByPresence(items: unknown[], by: unknown[], mergeKey: string): { inPatch: unknown[]; serverOnly: unknown[] } {
  const keys = new Set(by.map((v) => (mergeKey && isJsonObject(v) ? v[mergeKey] : v)));
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const item of items) {
    (keys.has(keyOf(item, mergeKey)) ? inPatch : serverOnly).push(item);
  }
  return { inPatch, serverOnly };
}

/** keyOf is the identity of a list element: its merge key value, or the element itself for scalars. */
function keyOf(item: unknown, mergeKey: string): unknown {
  if (!mergeKey) return item;
  if (!isJsonObject(item)) throw errBadArgType('map', item);
  if (!hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
  return item[mergeKey];
}

/** ElementOrderInput is the input of normalizeElementOrder. */
export interface ElementOrderInput {
  patchItems: unknown[];
  serverOnly: unknown[];
  patchOrder: unknown[];
  serverOrder: unknown[];
  mergeKey: string;
}

/**
 * normalizeElementOrder sorts patch items by patchOrder and live-only items by
 * the live order, then interleaves them: a live-only item goes before the next
 * patch item only if it also comes before it in the live list.
 */
export function normalizeElementOrder(input: ElementOrderInput): unknown[] {
  const { mergeKey, serverOrder } = input;
  const left = sortByOrder(input.serverOnly, serverOrder, mergeKey);
  const right = sortByOrder(input.patchItems, input.patchOrder, mergeKey);
  const pos = (v: unknown): number => indexIn(serverOrder, v, mergeKey);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) out.push(left[i++]);
    else if (i >= left.length) out.push(right[j++]);
    else {
      const l = pos(left[i]);
      const r = pos(right[j]);
      if (l >= 0 && r >= 0 && l < r) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** sortByOrder is a stable sort by position in `order`; items not in it keep their relative order at the end. */
function sortByOrder(items: unknown[], order: unknown[], mergeKey: string): unknown[] {
  if (mergeKey) for (const v of [...items, ...order]) keyOf(v, mergeKey); // upstream validateMergeKeyInLists
  const ranked = items.map((v, n) => ({ v, n, at: indexIn(order, v, mergeKey) }));
  ranked.sort((a, b) => {
    if (a.at >= 0 && b.at >= 0) return a.at - b.at || a.n - b.n;
    if (a.at >= 0 !== b.at >= 0) return a.at >= 0 ? -1 : 1;
    return a.n - b.n;
  });
  return ranked.map((x) => x.v);
}

function indexIn(list: unknown[], item: unknown, mergeKey: string): number {
  const key = mergeKey ? (isJsonObject(item) ? item[mergeKey] : undefined) : item;
  return list.findIndex((v) => (mergeKey ? isJsonObject(v) && v[mergeKey] === key : v === key));
}
