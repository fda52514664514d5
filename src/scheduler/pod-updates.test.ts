// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import { R } from '../client/index.js';
import { FakeClient } from '../client/fake-client.js';
import { recordUnschedulable } from './pod-updates.js';

const EARLIER = '2026-01-01T00:00:00Z';

function pendingPod(conditions: object[]): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [{ name: 'c', image: 'i' }] }, status: { phase: 'Pending', conditions } };
}

test('a new Unschedulable message keeps the transition time of a PodScheduled=False (upstream UpdatePodCondition)', async () => {
  const pod = pendingPod([{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu.', lastTransitionTime: EARLIER }]);
  const client = new FakeClient([pod]);
  await recordUnschedulable(client, pod as Pod, '0/2 nodes are available: 2 Insufficient cpu.');
  const cond = ((await client.get(R.pods, 'p', { namespace: 'ns' })) as Pod).status?.conditions?.find((c) => c.type === 'PodScheduled');
  assert.equal(cond?.message, '0/2 nodes are available: 2 Insufficient cpu.');
  assert.equal(cond?.lastTransitionTime, EARLIER);
});

test('PodScheduled turning False is a transition: its time is now', async () => {
  const pod = pendingPod([]);
  const client = new FakeClient([pod]);
  await recordUnschedulable(client, pod as Pod, '0/1 nodes are available: 1 Insufficient cpu.');
  const cond = ((await client.get(R.pods, 'p', { namespace: 'ns' })) as Pod).status?.conditions?.find((c) => c.type === 'PodScheduled');
  assert.equal(cond?.status, 'False');
  assert.notEqual(cond?.lastTransitionTime, EARLIER);
  assert.ok(Date.now() - Date.parse(cond!.lastTransitionTime!) < 60_000);
});
