// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prefixEnd } from './key-range.js';

test('prefixEnd bounds exactly the keys under a prefix', () => {
  assert.equal(prefixEnd('/registry/pods/'), '/registry/pods0');
  assert.equal(prefixEnd('a\uffff'), 'b');
  assert.equal(prefixEnd(''), undefined);
  assert.equal(prefixEnd('\uffff'), undefined);
  const end = prefixEnd('/a/')!;
  for (const inside of ['/a/', '/a/x', '/a/\uffff']) assert.ok(inside >= '/a/' && inside < end, inside);
  for (const outside of ['/a0', '/ab/', '/b']) assert.ok(!(outside < end), outside);
});
