// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from './merge-patch.js';

// Test vectors from RFC 7386 Appendix A.
const rfcCases: [unknown, unknown, unknown][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [['a', 'b'], ['c', 'd'], ['c', 'd']],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

test('RFC 7386 appendix A examples', () => {
  for (const [target, patch, want] of rfcCases) {
    assert.deepEqual(applyMergePatch(target, patch), want, JSON.stringify({ target, patch }));
  }
});

test('lists are replaced, not merged', () => {
  const pod = { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } };
  assert.deepEqual(applyMergePatch(pod, { spec: { containers: [{ name: 'a', image: 'z' }] } }), { spec: { containers: [{ name: 'a', image: 'z' }] } });
});

test('neither the target nor the patch is mutated', () => {
  const target = { metadata: { labels: { a: '1' } } };
  const patch = { metadata: { labels: { b: '2', a: null } }, spec: { list: [1] } };
  const out = applyMergePatch(target, patch) as { spec: { list: number[] } };
  assert.deepEqual(target, { metadata: { labels: { a: '1' } } });
  assert.deepEqual(patch, { metadata: { labels: { b: '2', a: null } }, spec: { list: [1] } });
  out.spec.list.push(2);
  assert.deepEqual(patch.spec.list, [1]);
});
