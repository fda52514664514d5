// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LimitRangeItem, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import { applyDefaults, validateClaim, validatePod, withDefaults, LIMIT_RANGER_ANNOTATION } from './limit-ranger.js';

function pod(resources: Record<string, Record<string, string>> = {}): Pod & KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'web', image: 'i', resources }] } };
}

test('defaults fill missing requests and limits and are noted in the annotation', () => {
  const p = pod({ requests: { memory: '32Mi' } });
  applyDefaults(p, [withDefaults({ type: 'Container', default: { cpu: '500m', memory: '128Mi' }, defaultRequest: { cpu: '250m' } })]);
  assert.deepEqual(p.spec!.containers[0].resources, { requests: { memory: '32Mi', cpu: '250m' }, limits: { cpu: '500m', memory: '128Mi' } });
  assert.equal(p.metadata.annotations?.[LIMIT_RANGER_ANNOTATION], 'LimitRanger plugin set: cpu request for container web; cpu, memory limit for container web');
});

test('API defaults: default limit from max, default request from the default limit', () => {
  const item = withDefaults({ type: 'Container', max: { cpu: '1' } });
  assert.deepEqual(item.default, { cpu: '1' });
  assert.deepEqual(item.defaultRequest, { cpu: '1' });
});

test('min, max and ratio messages match upstream', () => {
  const items: LimitRangeItem[] = [{ type: 'Container', max: { cpu: '1' }, min: { memory: '10Mi' }, maxLimitRequestRatio: { cpu: '2' } }];
  assert.deepEqual(validatePod(pod({ requests: { cpu: '500m', memory: '20Mi' }, limits: { cpu: '2' } }), items), [
    'maximum cpu usage per Container is 1, but limit is 2',
    'cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000',
  ]);
  assert.deepEqual(validatePod(pod({ limits: { cpu: '1' } }), items), [
    'minimum memory usage per Container is 10Mi.  No request is specified',
    'cpu max limit to request ratio per Container is 2, but no request is specified or request is 0',
  ]);
  assert.deepEqual(validatePod(pod({ requests: { cpu: '1' } }), [{ type: 'Pod', max: { cpu: '2' } }]), ['maximum cpu usage per Pod is 2.  No limit is specified']);
});

test('claims are checked against their storage request', () => {
  const claim = (size: string): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { resources: { requests: { storage: size } } } });
  const items: LimitRangeItem[] = [{ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '2Gi' } }];
  assert.deepEqual(validateClaim(claim('5Gi'), items), ['maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi']);
  assert.deepEqual(validateClaim(claim('500Mi'), items), ['minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi']);
  assert.deepEqual(validateClaim(claim('1Gi'), items), []);
});
