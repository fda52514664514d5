// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError, patchTypeFromContentType } from '../../machinery/index.js';
import { RESOURCES } from '../resources.js';
import { applyPatch, patchContentTypesFor, patchMetaFor } from './index.js';

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: '1' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
const podGVK = { group: '', version: 'v1', kind: 'Pod' };
const crdGVK = { group: 'example.com', version: 'v1', kind: 'Widget' };

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StatusError);
    return err;
  }
  assert.fail('expected an error');
}

test('content types map to patch types, parameters ignored', () => {
  assert.equal(patchTypeFromContentType('application/json-patch+json'), 'json');
  assert.equal(patchTypeFromContentType('application/merge-patch+json; charset=utf-8'), 'merge');
  assert.equal(patchTypeFromContentType('application/strategic-merge-patch+json'), 'strategic');
  assert.equal(patchTypeFromContentType('application/apply-patch+yaml'), 'apply');
  assert.equal(patchTypeFromContentType('application/json'), undefined);
});

test('applyPatch dispatches each type', () => {
  assert.deepEqual((applyPatch('json', pod, [{ op: 'replace', path: '/metadata/labels/a', value: '2' }], podGVK) as typeof pod).metadata.labels, { a: '2' });
  assert.deepEqual((applyPatch('merge', pod, { spec: { containers: [{ name: 'd' }] } }, podGVK) as typeof pod).spec.containers, [{ name: 'd' }]);
  const smp = applyPatch('strategic', pod, { spec: { containers: [{ name: 'd', image: 'y' }] } }, podGVK) as typeof pod;
  assert.deepEqual(smp.spec.containers.map((c) => c.name), ['d', 'c']);
});

test('strategic merge on a kind without metadata (a custom resource) is 415 like upstream', () => {
  const err = statusOf(() => applyPatch('strategic', { metadata: {} }, {}, crdGVK));
  assert.equal(err.code, 415);
  assert.equal(err.message, 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
  assert.deepEqual(patchContentTypesFor(podGVK).length, 4);
});

test('server-side apply is refused with 415', () => {
  const err = statusOf(() => applyPatch('apply', pod, 'kind: Pod', podGVK));
  assert.equal(err.code, 415);
  assert.equal(err.reason, 'UnsupportedMediaType');
});

test('a merge patch that is not an object or list is 400 Invalid JSON Patch', () => {
  assert.equal(statusOf(() => applyPatch('merge', pod, 'x', podGVK)).code, 400);
  assert.equal(statusOf(() => applyPatch('merge', pod, null, podGVK)).message, 'Invalid JSON Patch');
});

test('a patch whose result is not an object is 422 on field patch', () => {
  const err = statusOf(() => applyPatch('merge', pod, [1], podGVK));
  assert.equal(err.code, 422);
  assert.match(err.message, /^ "" is invalid: patch: Invalid value: "\[1\]": json: cannot unmarshal array into Go value of type v1\.Pod$/);
});

test('every served kind has strategic merge metadata with ObjectMeta', () => {
  for (const r of RESOURCES) {
    const meta = patchMetaFor(r.group, r.version, r.kind);
    assert.ok(meta?.metadata?.schema?.ownerReferences, `${r.group}/${r.version}/${r.kind}`);
  }
  assert.equal(patchMetaFor('example.com', 'v1', 'Widget'), undefined);
});
