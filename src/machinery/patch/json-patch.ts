// SPDX-License-Identifier: Apache-2.0
/**
 * JSON Patch (RFC 6902) over JSON Pointers (RFC 6901), applied the way
 * kube-apiserver applies `application/json-patch+json` with
 * gopkg.in/evanphx/json-patch.v4. Where v4 is more lenient than the RFC and
 * clients may rely on it, v4 wins: negative array indices count from the end,
 * `replace` of a missing object member adds it, and only `replace` (not `add`)
 * may target the whole document. A patch that does not
 * apply is a 422 with the generic message upstream returns; a patch document
 * that is not a list of operations is a 400.
 */
import { newBadRequest, newRequestEntityTooLarge } from '../errors.js';
import { cloneJson, hasOwn, isJsonObject, jsonEqual, setOwn, type JsonObject } from './json-value.js';
import { goJsonKind, newPatchNotApplicable } from './patch-errors.js';

/** maxJsonPatchOperations is upstream's cap on operations in one JSON patch (handlers/patch.go). */
export const maxJsonPatchOperations = 10000;

/** JsonPatchOperation is one decoded operation; `value` is absent when the operation has none. */
export interface JsonPatchOperation {
  op: string;
  path?: unknown;
  from?: unknown;
  value?: unknown;
}

/** applyJsonPatch applies an RFC 6902 patch to a copy of doc and returns the copy; doc is not mutated. */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  const operations = decodeJsonPatch(ops);
  let root = cloneJson(doc);
  for (const op of operations) root = applyOperation(root, op);
  return root;
}

/** decodeJsonPatch checks that a decoded body is a list of operations, failing as jsonpatch.DecodePatch does. */
export function decodeJsonPatch(ops: unknown): JsonPatchOperation[] {
  if (ops === null || ops === undefined) return []; // Go decodes `null` into an empty patch.
  if (!Array.isArray(ops)) throw newBadRequest(`json: cannot unmarshal ${goJsonKind(ops)} into Go value of type jsonpatch.Patch`);
  if (ops.length > maxJsonPatchOperations) {
    throw newRequestEntityTooLarge(`The allowed maximum operations in a JSON patch is ${maxJsonPatchOperations}, got ${ops.length}`);
  }
  return ops.map((o) => {
    if (o === null) return { op: 'unknown' };
    if (!isJsonObject(o)) throw newBadRequest(`json: cannot unmarshal ${goJsonKind(o)} into Go value of type jsonpatch.Operation`);
    const op: JsonPatchOperation = { op: typeof o.op === 'string' ? o.op : 'unknown', path: o.path, from: o.from };
    if (hasOwn(o, 'value')) op.value = o.value;
    return op;
  });
}

function applyOperation(root: unknown, op: JsonPatchOperation): unknown {
  const path = pointerOf(op.op, 'path', op.path);
  switch (op.op) {
    case 'add':
      return add(root, path, requireValue(op));
    case 'remove':
      remove(root, path);
      return root;
    case 'replace':
      return replace(root, path, requireValue(op));
    case 'move': {
      const from = pointerOf(op.op, 'from', op.from);
      if (from === path) return root;
      if (path.startsWith(`${from}/`)) fail(`move operation does not apply: cannot move ${from} into its own child ${path}`);
      const value = get(root, from, 'move');
      remove(root, from);
      return add(root, path, value);
    }
    case 'copy':
      return add(root, path, cloneJson(get(root, pointerOf(op.op, 'from', op.from), 'copy')));
    case 'test':
      test(root, path, op);
      return root;
    default:
      return fail(`Unexpected kind: ${op.op}`);
  }
}

function fail(reason: string): never {
  throw newPatchNotApplicable(reason);
}

function pointerOf(op: string, field: 'path' | 'from', v: unknown): string {
  if (typeof v !== 'string') fail(`${op} operation failed to decode ${field}: missing value`);
  return v;
}

function requireValue(op: JsonPatchOperation): unknown {
  if (!('value' in op)) fail(`${op.op} operation is missing its value: missing value`);
  return cloneJson(op.value);
}

/** tokensOf splits a JSON pointer into unescaped reference tokens (RFC 6901 §4: ~1 before ~0). */
function tokensOf(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = JsonObject | unknown[];

/** parentOf walks to the container holding the pointer's last token, or undefined if any step is missing. */
function parentOf(root: unknown, pointer: string): { parent: Container; key: string } | undefined {
  const tokens = tokensOf(pointer);
  if (!tokens || tokens.length === 0) return undefined;
  let node: unknown = root;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(node)) {
      const i = arrayIndex(t, node.length - 1);
      node = i === undefined ? undefined : node[i];
    } else if (isJsonObject(node)) {
      node = hasOwn(node, t) ? node[t] : undefined;
    } else {
      return undefined;
    }
  }
  if (!Array.isArray(node) && !isJsonObject(node)) return undefined;
  return { parent: node, key: tokens[tokens.length - 1] };
}

/** arrayIndex parses an array index token, resolving negative indices from the end; undefined if outside [0, max]. */
function arrayIndex(token: string, max: number): number | undefined {
  if (!/^-?[0-9]+$/.test(token)) return undefined;
  let i = Number(token);
  if (i < 0) i += max + 1;
  return i >= 0 && i <= max ? i : undefined;
}

function add(root: unknown, path: string, value: unknown): unknown {
  // v4 has no parent for the empty path, so add (and move/copy) to the root fail; only replace may swap the document.
  const at = parentOf(root, path);
  if (!at) return fail(`add operation does not apply: doc is missing path: "${path}": missing value`);
  if (!Array.isArray(at.parent)) {
    setOwn(at.parent, at.key, value);
    return root;
  }
  if (at.key === '-') {
    at.parent.push(value);
    return root;
  }
  const i = arrayIndex(at.key, at.parent.length);
  if (i === undefined) fail(`error in add for path: '${path}': Unable to access invalid index: ${at.key}: invalid index referenced`);
  at.parent.splice(i, 0, value);
  return root;
}

function remove(root: unknown, path: string): void {
  const at = parentOf(root, path);
  if (!at) return fail(`remove operation does not apply: doc is missing path: "${path}": missing value`);
  if (!Array.isArray(at.parent)) {
    if (!hasOwn(at.parent, at.key)) fail(`error in remove for path: '${path}': Unable to remove nonexistent key: ${at.key}: missing value`);
    delete at.parent[at.key];
    return;
  }
  const i = arrayIndex(at.key, at.parent.length - 1);
  if (i === undefined) fail(`error in remove for path: '${path}': Unable to access invalid index: ${at.key}: invalid index referenced`);
  at.parent.splice(i, 1);
}

function replace(root: unknown, path: string, value: unknown): unknown {
  if (path === '') return value;
  const at = parentOf(root, path);
  if (!at) return fail(`replace operation does not apply: doc is missing path: ${path}: missing value`);
  if (!Array.isArray(at.parent)) {
    setOwn(at.parent, at.key, value); // v4 replaces a missing member too, like add.
    return root;
  }
  const i = arrayIndex(at.key, at.parent.length - 1);
  if (i === undefined) fail(`replace operation does not apply: doc is missing key: ${path}: missing value`);
  at.parent[i] = value;
  return root;
}

/** lookup reads the value at a pointer: found is false when the last member or index is absent. */
function lookup(root: unknown, path: string): { found: boolean; value?: unknown; parentMissing?: boolean } {
  if (path === '') return { found: true, value: root };
  const at = parentOf(root, path);
  if (!at) return { found: false, parentMissing: true };
  if (Array.isArray(at.parent)) {
    const i = arrayIndex(at.key, at.parent.length - 1);
    // v4 fails on an index outside the array even for test, so this counts as a missing path.
    return i === undefined ? { found: false, parentMissing: true } : { found: true, value: at.parent[i] };
  }
  return hasOwn(at.parent, at.key) ? { found: true, value: at.parent[at.key] } : { found: false };
}

function get(root: unknown, from: string, op: string): unknown {
  const r = lookup(root, from);
  if (!r.found) fail(`${op} operation does not apply: doc is missing from path: ${from}: missing value`);
  return r.value;
}

/** test compares the value at path; like v4, an absent member equals an absent or null expected value. */
function test(root: unknown, path: string, op: JsonPatchOperation): void {
  const r = lookup(root, path);
  if (r.parentMissing) fail(`test operation does not apply: is missing path: ${path}: missing value`);
  const expectsNothing = !('value' in op) || op.value === null;
  const ok = r.found ? 'value' in op && jsonEqual(r.value, op.value) : expectsNothing;
  if (!ok) fail(`testing value ${path} failed: test failed`);
}
