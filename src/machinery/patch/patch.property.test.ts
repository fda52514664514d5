// SPDX-License-Identifier: Apache-2.0
/**
 * Property tests of the patch appliers on arbitrary JSON: JSON patch, merge
 * patch and strategic merge patch (with a Deployment's and a Pod's merge
 * keys) either produce a result or fail with a StatusError, never with a
 * TypeError or RangeError, and never change their inputs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StatusError } from '../errors.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './index.js';
import { patchMetaFor } from '../../api/patch/index.js';

const seed = Number(process.env.SKIFF_FUZZ_SEED ?? 42);
const key = fc.constantFrom('spec', 'template', 'containers', 'name', 'ports', 'containerPort', 'env', 'value', 'metadata', 'labels', 'finalizers', '$patch', '$retainKeys', '$setElementOrder/containers', '$deleteFromPrimitiveList/finalizers', 'a', 'volumes', 'volumeMounts', 'mountPath');
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, 0, 1, 'x', 'c', 'merge', 'replace', 'delete', 'retainKeys'),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(key, tie('v'), { maxKeys: 4 }),
  ),
})).v;
const doc = fc.dictionary(key, value, { maxKeys: 5 });

function expectStatusErrorOrResult(f: () => unknown): void {
  try {
    f();
  } catch (err) {
    if (!(err instanceof StatusError)) throw err;
  }
}

test('strategic merge of arbitrary JSON yields a result or a StatusError and leaves its inputs alone', () => {
  const metas = [patchMetaFor('apps', 'v1', 'Deployment'), patchMetaFor('', 'v1', 'Pod'), undefined];
  fc.assert(
    fc.property(doc, doc, fc.constantFrom(...metas), (d, p, meta) => {
      const before = JSON.stringify([d, p]);
      expectStatusErrorOrResult(() => applyStrategicMergePatch(d, p, meta));
      assert.equal(JSON.stringify([d, p]), before);
    }),
    { seed, numRuns: 3000 },
  );
});

test('merge patch of arbitrary JSON yields a result or a StatusError', () => {
  fc.assert(
    fc.property(value, value, (d, p) => expectStatusErrorOrResult(() => applyMergePatch(d, p))),
    { seed, numRuns: 3000 },
  );
});

test('JSON patch of arbitrary operations yields a result or a StatusError', () => {
  const op = fc.record({
    op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'x', 1),
    path: fc.oneof(fc.constantFrom('', '/', '/spec', '/spec/containers/0', '/spec/containers/-', '/a~1b', '/a~2', '/0', '/spec/containers/99'), fc.string({ maxLength: 10 })),
    from: fc.constantFrom(undefined, '/spec', '/a', ''),
    value,
  });
  fc.assert(
    fc.property(doc, fc.oneof(fc.array(op, { maxLength: 4 }), value), (d, ops) => expectStatusErrorOrResult(() => applyJsonPatch(d, ops))),
    { seed, numRuns: 3000 },
  );
});
