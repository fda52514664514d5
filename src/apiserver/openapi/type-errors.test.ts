// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeError, findTypeMismatch, goFormat } from './type-errors.js';

test('a wrongly typed field is reported in encoding/json words', () => {
  assert.equal(
    decodeError('v1', 'Pod', { metadata: { name: 'p', labels: 'invalid' } }),
    'json: cannot unmarshal string into Go struct field ObjectMeta.metadata.labels of type map[string]string',
  );
  assert.equal(
    decodeError('apps/v1', 'Deployment', { spec: { replicas: 'three' } }),
    'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
  );
  assert.equal(
    decodeError('v1', 'Pod', { spec: { containers: [{ name: 1 }] } }),
    'json: cannot unmarshal number into Go struct field Container.spec.containers.name of type string',
  );
  assert.equal(decodeError('v1', 'Pod', { spec: 'x' }), 'json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec');
  assert.equal(decodeError('v1', 'Pod', { spec: { containers: {} } }), 'json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container');
});

test('well-typed objects, nulls and custom-decoded types pass', () => {
  assert.equal(decodeError('v1', 'Pod', { metadata: { name: 'p', labels: null, creationTimestamp: null }, spec: { containers: [{ name: 'c', resources: { limits: { cpu: 1 } }, ports: [{ containerPort: 80 }] }] } }), undefined);
  assert.equal(decodeError('apps/v1', 'Deployment', { spec: { strategy: { rollingUpdate: { maxSurge: '25%' } } } }), undefined);
});

test('the unstructured converter words and Go %+v of a patch', () => {
  assert.equal(findTypeMismatch('v1', 'Pod', { metadata: { labels: 'invalid' } })?.converterMessage, 'cannot restore map from string');
  assert.equal(findTypeMismatch('v1', 'Pod', { spec: { containers: 'x' } })?.converterMessage, 'cannot restore slice from string');
  assert.equal(findTypeMismatch('v1', 'Pod', { spec: { containers: [{ name: 3 }] } })?.converterMessage, 'cannot convert int64 to string');
  assert.equal(goFormat({ metadata: { labels: 'invalid', b: [1, true, null] } }), 'map[metadata:map[b:[1 true <nil>] labels:invalid]]');
});
