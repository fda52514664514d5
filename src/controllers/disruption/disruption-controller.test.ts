// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import type { KubeObject } from '../../api/object.js';
import { R } from '../../client/client.js';
import { newFixture } from '../controller-fixture.js';
import { FakeClock } from '../../client/fake-clock.js';
import { desiredHealthyFor, scaledValue } from './budget.js';
import { DisruptionController } from './disruption-controller.js';

const NOW = Date.parse('2024-01-01T00:10:00Z');

function pdb(spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'ns', generation: 2 }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec }, ...(status ? { status } : {}) };
}

function pod(name: string, ready = true, owner = true): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', labels: { app: 'web' }, ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-rs', uid: 'rs-uid', controller: true }] } : {}) },
    spec: { containers: [] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-rs', namespace: 'ns', uid: 'rs-uid' }, spec: { replicas: 4 } };

async function run(objects: KubeObject[]): Promise<{ status: PodDisruptionBudgetStatus; events: string[]; writes: string[] }> {
  const f = newFixture(objects, new FakeClock(NOW));
  f.client.on('get', 'replicasets', (a) => (a.subresource === 'scale' ? { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: a.name, namespace: 'ns' }, spec: { replicas: 4 } } : undefined));
  const c = new DisruptionController({ client: f.client, factory: f.factory, recorder: f.recorder, clock: f.clock });
  await f.start();
  await c.sync('ns/web');
  const status = f.client.objects(R.poddisruptionbudgets, 'ns')[0].status as PodDisruptionBudgetStatus;
  const out = { status, events: await f.events(), writes: f.writes() };
  await f.stop();
  return out;
}

test('int-or-percent arithmetic rounds percentages up', () => {
  assert.equal(scaledValue('50%', 3), 2);
  assert.equal(scaledValue(2, 10), 2);
  assert.equal(desiredHealthyFor({ maxUnavailable: '25%' }, 4), 3);
  assert.equal(desiredHealthyFor({ maxUnavailable: 5 }, 4), 0);
  assert.throws(() => scaledValue('half', 4), /invalid value "half"/);
});

test('minAvailable 2 over 2 ready pods allows no disruption', async () => {
  const { status, writes } = await run([pdb({ minAvailable: 2 }), pod('a'), pod('b')]);
  assert.deepEqual(writes, ['update poddisruptionbudgets/status ns/web']);
  assert.equal(status.currentHealthy, 2);
  assert.equal(status.desiredHealthy, 2);
  assert.equal(status.expectedPods, 2);
  assert.equal(status.disruptionsAllowed, 0);
  assert.equal(status.observedGeneration, 2);
  assert.deepEqual(status.conditions?.map((c) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'False', 'InsufficientPods']]);
});

test('percent minAvailable is measured against the controller scale', async () => {
  const { status } = await run([pdb({ minAvailable: '50%' }), rs, pod('a'), pod('b'), pod('c'), pod('d', false)]);
  assert.equal(status.expectedPods, 4);
  assert.equal(status.desiredHealthy, 2);
  assert.equal(status.currentHealthy, 3);
  assert.equal(status.disruptionsAllowed, 1);
  assert.deepEqual(status.conditions?.map((c) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'True', 'SufficientPods']]);
});

test('recent disruptions count as unhealthy; stale ones are dropped', async () => {
  const disruptedPods = { a: '2024-01-01T00:09:30Z', b: '2024-01-01T00:01:00Z' };
  const { status } = await run([pdb({ maxUnavailable: 1 }, { disruptedPods, disruptionsAllowed: 0 }), rs, pod('a'), pod('b'), pod('c'), pod('d')]);
  assert.deepEqual(status.disruptedPods, { a: '2024-01-01T00:09:30Z' });
  assert.equal(status.currentHealthy, 3);
  assert.equal(status.desiredHealthy, 3);
  assert.equal(status.disruptionsAllowed, 0);
});

test('a pod whose controller is missing fails safe with zero disruptions', async () => {
  const f = newFixture([pdb({ maxUnavailable: 1 }), pod('a')], new FakeClock(NOW));
  const c = new DisruptionController({ client: f.client, factory: f.factory, recorder: f.recorder, clock: f.clock });
  await f.start();
  await assert.rejects(c.sync('ns/web'), /found no controllers for pod "a"/);
  const status = f.client.objects(R.poddisruptionbudgets, 'ns')[0].status as PodDisruptionBudgetStatus;
  assert.equal(status.disruptionsAllowed, 0);
  assert.equal(status.conditions?.[0].reason, 'SyncFailed');
  assert.deepEqual(await f.events(), ['Warning CalculateExpectedPodCountFailed Failed to calculate the number of expected pods: found no controllers for pod "a"']);
  await f.stop();
});
