// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deepEqual } from './managed-object.js';

/** plainDeepEqual is deepEqual as it was written first (key lists filtered, then compared). */
function plainDeepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => plainDeepEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => plainDeepEqual(ao[k], bo[k]));
}

test('deepEqual answers as the plain key-list comparison on JSON data, undefined members and key order included', () => {
  const values: unknown[] = [
    undefined, null, 0, 1, '', '1', true, false, [], [undefined], [null], [1, 2], [2, 1], {}, { a: undefined }, { a: 1 }, { a: 1, b: undefined }, { b: undefined, a: 1 },
    { a: 1, b: 2 }, { b: 2, a: 1 }, { a: { b: [1, { c: null }] } }, { a: { b: [1, { c: undefined }] } }, { a: { b: [1, {}] } }, { toString: 1 }, { constructor: undefined },
    [1, , 3], [1, undefined, 3],
  ];
  let pairs = 0;
  for (const a of values) {
    for (const b of values) {
      assert.equal(deepEqual(a, b), plainDeepEqual(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
      assert.equal(deepEqual(structuredClone(a), b), plainDeepEqual(structuredClone(a), b));
      pairs++;
    }
  }
  assert.ok(pairs > 500);
});
