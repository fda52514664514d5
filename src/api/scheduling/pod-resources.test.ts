// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podNonZeroRequests, podRequests } from './pod-resources.js';
import { makePod } from '../../scheduler/testdata/objects.js';

test('podRequests sums containers, takes the max of init containers, adds overhead', () => {
  const pod = makePod('p', {
    containers: [
      { name: 'a', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
      { name: 'b', resources: { requests: { cpu: '200m', 'example.com/gpu': '1' } } },
    ],
    spec: {
      initContainers: [{ name: 'i1', resources: { requests: { cpu: '500m' } } }, { name: 'i2', resources: { requests: { memory: '1Gi' } } }],
      overhead: { cpu: '10m' },
    },
  });
  const r = podRequests(pod);
  assert.equal(r.milliCPU, 510);
  assert.equal(r.memory, 1024 ** 3);
  assert.equal(r.scalar.get('example.com/gpu'), 1);
});

test('restartable init containers (sidecars) add to the total', () => {
  const pod = makePod('p', { cpu: '100m', spec: { initContainers: [{ name: 's', restartPolicy: 'Always', resources: { requests: { cpu: '50m' } } }] } });
  assert.equal(podRequests(pod).milliCPU, 150);
});

test('podNonZeroRequests assumes 100m / 200Mi for containers without requests', () => {
  assert.deepEqual(podNonZeroRequests(makePod('p')), { milliCPU: 100, memory: 200 * 1024 * 1024 });
});
