// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import { applyJsonPatch } from './json-patch.js';

function rejects(fn: () => unknown, code: number, cause?: RegExp): StatusError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StatusError, `expected StatusError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (cause) assert.match(String((err.cause as Error | undefined)?.message), cause);
    return err;
  }
  assert.fail('expected an error');
}

const doc = () => ({ metadata: { name: 'web', labels: { app: 'web' } }, spec: { list: ['a', 'b', 'c'] } });

test('add sets members, inserts into arrays and appends with -', () => {
  const out = applyJsonPatch(doc(), [
    { op: 'add', path: '/metadata/labels/tier', value: 'fe' },
    { op: 'add', path: '/spec/list/1', value: 'x' },
    { op: 'add', path: '/spec/list/-', value: 'z' },
    { op: 'add', path: '/spec/list/5', value: 'end' },
  ]);
  assert.deepEqual(out, { metadata: { name: 'web', labels: { app: 'web', tier: 'fe' } }, spec: { list: ['a', 'x', 'b', 'c', 'z', 'end'] } });
});

test('the input document and the patch are not mutated', () => {
  const original = doc();
  const value = { nested: true };
  const out = applyJsonPatch(original, [{ op: 'add', path: '/spec/obj', value }]) as { spec: { obj: unknown } };
  assert.deepEqual(original, doc());
  assert.notEqual(out.spec.obj, value);
});

test('pointer escapes ~1 and ~0 address keys containing / and ~', () => {
  const out = applyJsonPatch({ metadata: { annotations: { 'a/b': '1', 'c~d': '2' } } }, [
    { op: 'replace', path: '/metadata/annotations/a~1b', value: 'x' },
    { op: 'remove', path: '/metadata/annotations/c~0d' },
    { op: 'add', path: '/metadata/annotations/~01', value: 'y' },
  ]);
  assert.deepEqual(out, { metadata: { annotations: { 'a/b': 'x', '~1': 'y' } } });
});

test('remove, replace, move and copy', () => {
  const out = applyJsonPatch(doc(), [
    { op: 'remove', path: '/spec/list/0' },
    { op: 'replace', path: '/spec/list/0', value: 'B' },
    { op: 'copy', from: '/metadata/labels', path: '/spec/selector' },
    { op: 'move', from: '/metadata/name', path: '/spec/name' },
  ]);
  assert.deepEqual(out, { metadata: { labels: { app: 'web' } }, spec: { list: ['B', 'c'], selector: { app: 'web' }, name: 'web' } });
});

test('copy is deep: changing the copy leaves the source alone', () => {
  const out = applyJsonPatch(doc(), [
    { op: 'copy', from: '/metadata/labels', path: '/spec/labels' },
    { op: 'add', path: '/spec/labels/x', value: '1' },
  ]) as { metadata: { labels: object } };
  assert.deepEqual(out.metadata.labels, { app: 'web' });
});

test('negative indices count from the end, like evanphx/json-patch v4', () => {
  assert.deepEqual(applyJsonPatch({ l: [1, 2, 3] }, [{ op: 'replace', path: '/l/-1', value: 9 }]), { l: [1, 2, 9] });
  assert.deepEqual(applyJsonPatch({ l: [1, 2, 3] }, [{ op: 'remove', path: '/l/-3' }]), { l: [2, 3] });
});

test('replace of a missing member adds it (v4 behaviour kubectl users rely on)', () => {
  assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }]), { a: 1, b: 2 });
});

test('test op passes on equal values and fails with 422 and the generic message', () => {
  assert.deepEqual(applyJsonPatch(doc(), [{ op: 'test', path: '/spec/list', value: ['a', 'b', 'c'] }]), doc());
  assert.deepEqual(applyJsonPatch({ a: { x: 1, y: [true] } }, [{ op: 'test', path: '/a', value: { y: [true], x: 1 } }]), { a: { x: 1, y: [true] } });
  const err = rejects(() => applyJsonPatch(doc(), [{ op: 'test', path: '/metadata/name', value: 'db' }]), 422, /testing value \/metadata\/name failed/);
  assert.equal(err.reason, 'Invalid');
  assert.equal(err.message, 'the server rejected our request due to an error in our request');
});

test('test of an absent member passes only for a null value', () => {
  assert.ok(applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/b', value: null }]));
  rejects(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/b', value: 1 }]), 422);
});

test('a failing operation leaves nothing applied (the caller gets an error, not a half-patched copy)', () => {
  const original = doc();
  rejects(() => applyJsonPatch(original, [{ op: 'add', path: '/x', value: 1 }, { op: 'remove', path: '/nope' }]), 422, /nonexistent key/);
  assert.deepEqual(original, doc());
});

test('operations that do not apply are 422', () => {
  rejects(() => applyJsonPatch(doc(), [{ op: 'add', path: '/missing/child', value: 1 }]), 422, /missing path/);
  rejects(() => applyJsonPatch(doc(), [{ op: 'add', path: '/spec/list/9', value: 1 }]), 422, /invalid index/);
  rejects(() => applyJsonPatch(doc(), [{ op: 'replace', path: '/spec/list/3', value: 1 }]), 422, /missing key/);
  rejects(() => applyJsonPatch(doc(), [{ op: 'remove', path: '/spec/list/3' }]), 422);
  rejects(() => applyJsonPatch(doc(), [{ op: 'move', from: '/nope', path: '/x' }]), 422);
  rejects(() => applyJsonPatch(doc(), [{ op: 'move', from: '/spec', path: '/spec/inner' }]), 422, /own child/);
  rejects(() => applyJsonPatch(doc(), [{ op: 'frobnicate', path: '/x' }]), 422, /Unexpected kind: frobnicate/);
  rejects(() => applyJsonPatch(doc(), [{ op: 'add', path: '/x' }]), 422, /missing its value/);
  rejects(() => applyJsonPatch(doc(), [{ op: 'add', path: 'no-slash', value: 1 }]), 422);
});

test('a body that is not a list of operations is 400; null is an empty patch', () => {
  const err = rejects(() => applyJsonPatch(doc(), { op: 'add' }), 400);
  assert.equal(err.message, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  rejects(() => applyJsonPatch(doc(), ['add']), 400);
  assert.deepEqual(applyJsonPatch(doc(), null), doc());
});

test('more than 10000 operations is 413', () => {
  const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '' }));
  rejects(() => applyJsonPatch({}, ops), 413);
});

test('the empty path: replace swaps the whole document, add is refused as by v4', () => {
  assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }]), { b: 2 });
  rejects(() => applyJsonPatch({ a: 1 }, [{ op: 'add', path: '', value: { b: 2 } }]), 422, /missing path/);
});

test('a __proto__ member is data, not a prototype change', () => {
  const out = applyJsonPatch({}, [{ op: 'add', path: '/__proto__', value: { polluted: true } }]) as Record<string, unknown>;
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.keys(out), ['__proto__']);
});
