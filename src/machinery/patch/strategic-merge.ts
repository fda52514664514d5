// SPDX-License-Identifier: Apache-2.0
/**
 * Strategic merge patch (`application/strategic-merge-patch+json`), the
 * apply side only, as kube-apiserver runs apimachinery's
 * StrategicMergeMapPatch (merge parallel lists, ignore unmatched nulls):
 * - objects merge member by member and `null` deletes a member;
 * - lists whose field has strategy `merge` merge by their merge key (or as
 *   sets of scalars); other lists are replaced;
 * - directives: `$patch: replace|delete` on a map, `$patch: delete|replace` as
 *   a list element, `$retainKeys`, `$deleteFromPrimitiveList/<field>` and
 *   `$setElementOrder/<field>` (the parallel lists `kubectl apply` sends).
 * Without metadata (kinds missing from patch-meta.ts) it degrades to a merge
 * patch whose lists are replaced.
 */
import { newBadRequest } from '../errors.js';
import { badPatchFormat, errBadArgType, errBadPatchType, errNoMergeKey, goJsonKind, goValue, newPatchFailure } from './patch-errors.js';
import type { FieldPatchMeta, PatchMeta } from './patch-meta.js';
import { cloneJson, hasOwn, isJsonObject, jsonType, setOwn, type JsonObject } from './json-value.js';
import { directive, fieldOfDirective, withoutDirectiveKeys, withoutDirectives } from './strategic-merge-directives.js';
import { elementType, mergeList, normalizeElementOrder, partitionByPresence } from './strategic-merge-list.js';

/**
 * applyStrategicMergePatch applies a strategic merge patch to a copy of doc,
 * using schema for merge keys and strategies; neither argument is mutated.
 * Failures are StatusErrors with the codes upstream's patch handler gives.
 */
export function applyStrategicMergePatch(doc: unknown, patch: unknown, schema?: PatchMeta): unknown {
  if (patch === null || patch === undefined) return cloneJson(doc); // Go decodes `null` into an empty map.
  if (!isJsonObject(patch)) {
    throw newBadRequest(`json: cannot unmarshal ${goJsonKind(patch)} into Go value of type map[string]interface {}`);
  }
  const original = isJsonObject(doc) ? cloneJson(doc) : {};
  return mergeMap(original, cloneJson(patch), schema);
}

/** mergeMap merges patch into original in place (both are private copies) and returns the result. */
function mergeMap(original: JsonObject, patch: JsonObject, schema: PatchMeta | undefined): JsonObject {
  if (hasOwn(patch, directive.patch)) return mapDirective(patch);
  applyRetainKeys(original, patch);
  mergeOrderedLists(original, patch, schema);
  const deletions: [string, unknown][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(directive.deleteFromPrimitiveList)) {
      deletions.push([fieldOfDirective(key, directive.deleteFromPrimitiveList, badPatchFormat.primitiveList), value]);
    } else {
      mergeField(original, key, value, schema?.[key]);
    }
  }
  // Deletions go last so that one patch may both add to and remove from a list.
  for (const [key, value] of deletions) deleteFromPrimitiveList(original, key, value);
  return original;
}

/** mapDirective handles `$patch` on a map: replace keeps the patch as the value, delete leaves an empty map. */
function mapDirective(patch: JsonObject): JsonObject {
  const d = patch[directive.patch];
  if (d === directive.replace) return withoutDirectiveKeys(patch) as JsonObject;
  if (d === directive.delete) return {};
  throw errBadPatchType(d, patch);
}

/**
 * applyRetainKeys handles `$retainKeys`: members of original not listed are
 * cleared, and every non-null member of the patch must be listed (that is how
 * `kubectl apply` clears `rollingUpdate` when a Deployment switches to Recreate).
 */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!hasOwn(patch, directive.retainKeys)) return;
  const list = patch[directive.retainKeys];
  delete patch[directive.retainKeys];
  if (!Array.isArray(list)) throw badPatchFormat.retainKeys();
  const keep = new Set<unknown>(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(directive.deleteFromPrimitiveList) || k.startsWith(directive.setElementOrder)) continue;
    if (!keep.has(k)) throw badPatchFormat.retainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** mergeField merges one member of the patch into original. */
function mergeField(original: JsonObject, key: string, value: unknown, field: FieldPatchMeta | undefined): void {
  if (value === null) {
    delete original[key];
    return;
  }
  const current = hasOwn(original, key) ? original[key] : undefined;
  if (current === undefined || jsonType(current) !== jsonType(value)) {
    takePatchValue(original, key, value);
  } else if (isJsonObject(current)) {
    const merged = field?.strategy === 'replace' ? withoutDirectiveKeys(value) : mergeMap(current, value as JsonObject, field?.schema);
    setOwn(original, key, merged);
  } else if (Array.isArray(current)) {
    const list = value as unknown[];
    const merged = field?.strategy === 'merge' ? mergeList({ name: key, original: current, patch: list, field, deleteList: false, mergeMap }).merged : withoutDirectiveKeys(list);
    setOwn(original, key, merged);
  } else {
    takePatchValue(original, key, value);
  }
}

/** takePatchValue stores a patch value that has nothing to merge with, minus its directives. */
function takePatchValue(original: JsonObject, key: string, value: unknown): void {
  const cleaned = withoutDirectives(value);
  if (cleaned === undefined) delete original[key];
  else setOwn(original, key, cleaned);
}

/** deleteFromPrimitiveList removes the listed values from a list of scalars; absent lists stay absent. */
function deleteFromPrimitiveList(original: JsonObject, key: string, values: unknown): void {
  if (values === null) {
    delete original[key]; // upstream: a null parallel list deletes the field like any null
    return;
  }
  if (!Array.isArray(values)) throw badPatchFormat.primitiveList();
  const current = hasOwn(original, key) ? original[key] : undefined;
  if (!Array.isArray(current)) return;
  setOwn(original, key, mergeList({ name: key, original: current, patch: values, field: undefined, deleteList: true, mergeMap }).merged);
}

/**
 * mergeOrderedLists handles `$setElementOrder/<field>`: the field's list is
 * merged here (so the main loop skips it) and then put in the given order,
 * with live-only elements kept near their live neighbours.
 */
function mergeOrderedLists(original: JsonObject, patch: JsonObject, schema: PatchMeta | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(directive.setElementOrder)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw errBadArgType('list', order);
    const name = fieldOfDirective(key, directive.setElementOrder, badPatchFormat.setElementOrder);
    const field = schema?.[name];
    const mergeKey = field?.mergeKey ?? '';
    const live = listMember(original, name);
    const patchList = listMember(patch, name);
    validateOrder(patchList ?? [], order, mergeKey);
    let merged: unknown[];
    let liveOrder = live ?? [];
    if (live && patchList) {
      if (field?.strategy === 'merge') {
        ({ merged, liveOrder } = mergeList({ name, original: live, patch: patchList, field, deleteList: false, mergeMap }));
      } else {
        merged = withoutDirectiveKeys(patchList) as unknown[];
      }
    } else if (live || patchList) {
      merged = live ?? (withoutDirectives(patchList) as unknown[]);
    } else {
      continue;
    }
    elementType([live ?? [], patchList ?? []]); // refuses lists of lists and mixed element types, as upstream
    const { inPatch, serverOnly } = partitionByPresence(merged, order, mergeKey);
    setOwn(original, name, normalizeElementOrder({ patchItems: inPatch, serverOnly, patchOrder: order, serverOrder: liveOrder, mergeKey }));
    delete patch[name];
  }
}

function listMember(m: JsonObject, name: string): unknown[] | undefined {
  if (!hasOwn(m, name)) return undefined;
  const v = m[name];
  if (!Array.isArray(v)) throw errBadArgType('list', v);
  return v;
}

/**
 * validateOrder is validatePatchWithSetOrderList: the patch list's elements
 * (deletions aside) must appear in the `$setElementOrder` list, in the same order.
 */
function validateOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey ? patchList.filter((v) => !(isJsonObject(v) && v[directive.patch] === directive.delete)) : patchList;
  let p = 0;
  let s = 0;
  while (p < items.length && s < order.length) {
    const item = items[p];
    if (isJsonObject(item) && hasOwn(item, directive.patch)) {
      p++;
      continue;
    }
    if (sameElement(item, order[s], mergeKey)) p++;
    s++;
  }
  if (p < items.length) {
    throw newPatchFailure(`The order in patch list:\n${goValue(patchList)}\n doesn't match ${directive.setElementOrder} list:\n${goValue(order)}\n`);
  }
}

function sameElement(a: unknown, b: unknown, mergeKey: string): boolean {
  if (!mergeKey) return a === b;
  if (!isJsonObject(a)) throw errBadArgType('map', a);
  if (!isJsonObject(b)) throw errBadArgType('map', b);
  if (!hasOwn(a, mergeKey)) throw errNoMergeKey(a, mergeKey);
  if (!hasOwn(b, mergeKey)) throw errNoMergeKey(b, mergeKey);
  return a[mergeKey] === b[mergeKey];
}
