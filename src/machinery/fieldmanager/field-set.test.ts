// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet } from './field-set.js';
import { keyElement, pathString } from './path-element.js';

test('FieldsV1 round trip keeps members, children and the "." marker', () => {
  const json = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {} } }, 'f:replicas': {} },
  };
  const set = FieldSet.fromFieldsV1(json);
  assert.deepEqual(set.toFieldsV1(), json);
  assert.ok(set.has(['f:metadata', 'f:labels']));
  assert.ok(set.has(['f:spec', 'f:containers', 'k:{"name":"app"}', 'f:image']));
  assert.ok(!set.has(['f:spec']));
  assert.throws(() => FieldSet.fromFieldsV1({ 'x:bad': {} }), /unknown path element/);
});

test('set algebra follows fieldpath.Set', () => {
  const a = new FieldSet();
  a.insert(['f:spec', 'f:replicas']);
  a.insert(['f:spec', 'f:paused']);
  const b = new FieldSet();
  b.insert(['f:spec', 'f:replicas']);
  assert.deepEqual(a.difference(b).toFieldsV1(), { 'f:spec': { 'f:paused': {} } });
  assert.deepEqual(a.intersection(b).toFieldsV1(), { 'f:spec': { 'f:replicas': {} } });
  const spec = new FieldSet();
  spec.insert(['f:spec']);
  assert.ok(a.recursiveDifference(spec).isEmpty());
  assert.ok(a.difference(spec).equals(a));
});

test('paths render as upstream path strings', () => {
  const key = keyElement({ protocol: 'TCP', containerPort: 80 });
  assert.equal(key, 'k:{"containerPort":80,"protocol":"TCP"}');
  assert.equal(pathString(['f:spec', 'f:ports', key, 'f:name']), '.spec.ports[containerPort=80,protocol="TCP"].name');
  assert.equal(pathString(['f:metadata', 'f:finalizers', 'v:"a"']), '.metadata.finalizers[="a"]');
});
