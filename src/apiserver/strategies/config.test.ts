// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { configMapStrategy } from './config-map.js';
import { secretStrategy } from './secret.js';
import { runCreate, runUpdate } from './strategy-harness.js';

const meta = { name: 'c', namespace: 'default' };

test('configmap keys and immutability', () => {
  assert.deepEqual(runCreate(configMapStrategy, { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { 'a.txt': '1' } }).messages, []);
  const bad = runCreate(configMapStrategy, { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { 'a/b': '1' } }).messages;
  assert.match(bad[0], /^data\[a\/b\]: Invalid value: "a\/b": a valid config key must consist of alphanumeric characters/);
  const old: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { a: '1' }, immutable: true };
  assert.deepEqual(runUpdate(configMapStrategy, old, { ...old, data: { a: '2' } }).messages, ['data: Forbidden: field is immutable when `immutable` is set']);
  assert.deepEqual(runUpdate(configMapStrategy, old, { ...old, immutable: false }).messages, ['immutable: Forbidden: field is immutable when `immutable` is set']);
});

test('secret defaults and type checks', () => {
  const { obj, messages } = runCreate(secretStrategy, { apiVersion: 'v1', kind: 'Secret', metadata: meta, stringData: { password: 's3cret' } });
  assert.deepEqual(messages, []);
  assert.equal(obj.type, 'Opaque');
  assert.deepEqual(obj.data, { password: Buffer.from('s3cret').toString('base64') });
  assert.equal(obj.stringData, undefined);
  const tls = runCreate(secretStrategy, { apiVersion: 'v1', kind: 'Secret', metadata: meta, type: 'kubernetes.io/tls', data: {} });
  assert.deepEqual(tls.messages, ['data[tls.crt]: Required value', 'data[tls.key]: Required value']);
  const docker = runCreate(secretStrategy, { apiVersion: 'v1', kind: 'Secret', metadata: meta, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from('nope').toString('base64') } });
  assert.deepEqual(docker.messages, [`data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character 'n' looking for beginning of value`]);
  assert.deepEqual(runCreate(secretStrategy, { apiVersion: 'v1', kind: 'Secret', metadata: meta, type: 'kubernetes.io/dockerconfigjson' }).messages, ['data[.dockerconfigjson]: Required value']);
});

test('secret type is immutable and immutable secrets keep data', () => {
  const old: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: meta, type: 'Opaque', data: { a: 'YQ==' }, immutable: true };
  assert.deepEqual(runUpdate(secretStrategy, old, { ...old, type: 'kubernetes.io/basic-auth', data: { username: 'dQ==' } }).messages, [
    'type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
    'data: Forbidden: field is immutable when `immutable` is set',
  ]);
});
