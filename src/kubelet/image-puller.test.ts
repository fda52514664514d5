// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Secret } from 'kubernetes-types/core/v1.js';
import { credentialsFor, pullPolicyOf, registryHost } from './image-puller.js';

describe('image pulling rules', () => {
  it('defaults the pull policy as upstream', () => {
    assert.equal(pullPolicyOf({ name: 'c', image: 'busybox' }), 'Always');
    assert.equal(pullPolicyOf({ name: 'c', image: 'busybox:latest' }), 'Always');
    assert.equal(pullPolicyOf({ name: 'c', image: 'busybox:1.35' }), 'IfNotPresent');
    assert.equal(pullPolicyOf({ name: 'c', image: 'localhost:5000/x' }), 'Always');
    assert.equal(pullPolicyOf({ name: 'c', image: 'busybox:1.35', imagePullPolicy: 'Never' }), 'Never');
  });

  it('finds the registry host of a reference', () => {
    assert.equal(registryHost('busybox'), 'docker.io');
    assert.equal(registryHost('library/busybox:1'), 'docker.io');
    assert.equal(registryHost('localhost:5000/a/b:1'), 'localhost:5000');
    assert.equal(registryHost('quay.io/x/y'), 'quay.io');
  });

  it('matches dockerconfigjson credentials by registry host', () => {
    const cfg = { auths: { 'https://index.docker.io/v1/': { auth: Buffer.from('hub:pw').toString('base64') }, 'localhost:5000': { username: 'u', password: 'p' } } };
    const secret: Secret = { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(JSON.stringify(cfg)).toString('base64') } };
    assert.deepEqual(credentialsFor('localhost:5000/app:1', [secret]).map((a) => [a.username, a.password]), [['u', 'p']]);
    assert.deepEqual(credentialsFor('nginx:1', [secret]).map((a) => [a.username, a.password]), [['hub', 'pw']]);
    assert.deepEqual(credentialsFor('quay.io/x:1', [secret]), []);
  });
});
