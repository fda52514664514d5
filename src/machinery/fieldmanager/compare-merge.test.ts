// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compare } from './compare.js';
import { merge, removePaths } from './merge.js';
import { toFieldSet } from './to-field-set.js';
import type { SchemaNode } from './type-shape.js';

const resolve = (n: SchemaNode) => n;
const schema: SchemaNode = {
  type: 'object',
  properties: {
    tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
    args: { type: 'array', items: { type: 'string' } },
    items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, v: { type: 'integer' } } }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
    ref: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, 'x-kubernetes-map-type': 'atomic' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    raw: { type: 'object' },
  },
};

test('toFieldSet: set items by value, map items by key with ".", atomic lists and structs whole, untyped objects granular', () => {
  const set = toFieldSet({ tags: ['a'], args: ['x'], items: [{ name: 'n', v: 1 }], ref: { a: '1' }, labels: { k: 'v' }, raw: { deep: { x: 1 } } }, schema, resolve);
  assert.deepEqual(set.toFieldsV1(), {
    'f:args': {},
    'f:items': { 'k:{"name":"n"}': { '.': {}, 'f:name': {}, 'f:v': {} } },
    'f:labels': { 'f:k': {} },
    // Keys of maps that are not declared fields are members themselves, as upstream's deduced maps.
    'f:raw': { 'f:deep': { '.': {}, 'f:x': {} } },
    'f:ref': {},
    'f:tags': { 'v:"a"': {} },
  });
});

test('compare: changes inside an atomic struct are one modified leaf; a new granular map is added with its contents', () => {
  const cmp = compare({ ref: { a: '1' } }, { ref: { a: '2' }, labels: { k: 'v' } }, schema, resolve);
  assert.deepEqual(cmp.modified.toFieldsV1(), { 'f:ref': {} });
  assert.deepEqual(cmp.added.toFieldsV1(), { 'f:labels': { '.': {}, 'f:k': {} } });
  const gone = compare({ items: [{ name: 'n', v: 1 }] }, { items: [] }, schema, resolve);
  assert.deepEqual(gone.removed.toFieldsV1(), { 'f:items': { 'k:{"name":"n"}': { '.': {}, 'f:name': {}, 'f:v': {} } } });
});

test('merge: sets union, map lists merge by key keeping live-only items, atomic values are replaced, null clears', () => {
  const live = { tags: ['a', 'b'], args: ['1', '2'], items: [{ name: 'x', v: 1 }, { name: 'y', v: 2 }], ref: { a: '1', b: '2' }, labels: { keep: 'me', drop: 'x' } };
  const config = { tags: ['c'], args: ['3'], items: [{ name: 'y', v: 3 }], ref: { a: '9' }, labels: { drop: null } };
  assert.deepEqual(merge(live, config, schema, resolve), {
    tags: ['a', 'b', 'c'],
    args: ['3'],
    items: [{ name: 'x', v: 1 }, { name: 'y', v: 3 }],
    ref: { a: '9' },
    labels: { keep: 'me' },
  });
});

test('removePaths removes list items by key and value and fields by name', () => {
  const obj = { tags: ['a', 'b'], items: [{ name: 'x' }, { name: 'y' }], labels: { k: 'v', j: 'w' } };
  removePaths(obj, [['f:tags', 'v:"a"'], ['f:items', 'k:{"name":"y"}'], ['f:labels', 'f:k']], schema, resolve);
  assert.deepEqual(obj, { tags: ['b'], items: [{ name: 'x' }], labels: { j: 'w' } });
});
