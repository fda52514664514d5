// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { R } from '../../client/client.js';
import { newFixture } from '../controller-fixture.js';
import { FakeClock } from '../../client/fake-clock.js';
import { PodGCController } from './podgc-controller.js';

const NOW = Date.parse('2024-01-01T00:10:00Z');

function pod(name: string, nodeName?: string, extra: { phase?: string; reason?: string; deleting?: boolean; created?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, creationTimestamp: extra.created ?? '2024-01-01T00:00:00Z', ...(extra.deleting ? { deletionTimestamp: '2024-01-01T00:09:00Z', finalizers: ['test/hold'] } : {}) },
    spec: { nodeName, containers: [{ name: 'c', image: 'x' }] },
    status: { phase: extra.phase ?? 'Running', ...(extra.reason ? { reason: extra.reason } : {}) },
  };
}
const node = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });

test('pods of a deleted node are marked Failed with DeletionByPodGC and deleted once the quarantine has passed', async () => {
  const f = newFixture([node('alive'), pod('a', 'gone'), pod('b', 'gone'), pod('c', 'alive')], new FakeClock(NOW));
  const c = new PodGCController({ client: f.client, factory: f.factory, clock: f.clock, quarantineMs: 40_000 });
  await f.start();
  await c.sync('node/gone');
  assert.deepEqual(f.writes(), [], 'nothing before the quarantine ends');
  f.clock.step(40_000);
  await c.sync('node/gone');
  assert.deepEqual(f.writes(), ['patch pods/status ns/a', 'delete pods ns/a', 'patch pods/status ns/b', 'delete pods ns/b']);
  const patch = f.client.mutations().find((a) => a.verb === 'patch')!;
  assert.deepEqual((patch.object as { status: unknown }).status, {
    phase: 'Failed',
    conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: '2024-01-01T00:10:40Z' }],
  });
  assert.deepEqual(f.client.objects(R.pods, 'ns').map((p) => p.metadata.name), ['c']);
  await c.sync('node/alive');
  assert.equal(f.writes().length, 4, 'a live node keeps its pods');
  await f.stop();
});

test('a node that comes back within the quarantine keeps its pods', async () => {
  const f = newFixture([pod('a', 'late')], new FakeClock(NOW));
  const c = new PodGCController({ client: f.client, factory: f.factory, clock: f.clock, quarantineMs: 40_000 });
  await f.start();
  await c.sync('node/late');
  await f.client.create(R.nodes, node('late'));
  await f.settle();
  f.clock.step(40_000);
  await c.sync('node/late');
  assert.deepEqual(f.writes(), ['create nodes late']);
  await f.stop();
});

test('a terminating pod that was never scheduled is deleted at once', async () => {
  const f = newFixture([pod('stuck', undefined, { deleting: true }), pod('pending')], new FakeClock(NOW));
  const c = new PodGCController({ client: f.client, factory: f.factory, clock: f.clock });
  await f.start();
  await c.sync('unscheduled/ns/stuck');
  await c.sync('unscheduled/ns/pending');
  assert.deepEqual(f.writes(), ['patch pods/status ns/stuck', 'delete pods ns/stuck']);
  await f.stop();
});

test('past the threshold the oldest terminated pods go, evicted ones first', async () => {
  const f = newFixture([
    node('n'),
    pod('old-done', 'n', { phase: 'Succeeded', created: '2024-01-01T00:00:01Z' }),
    pod('new-evicted', 'n', { phase: 'Failed', reason: 'Evicted', created: '2024-01-01T00:00:09Z' }),
    pod('mid-failed', 'n', { phase: 'Failed', created: '2024-01-01T00:00:05Z' }),
    pod('running', 'n'),
  ], new FakeClock(NOW));
  const c = new PodGCController({ client: f.client, factory: f.factory, clock: f.clock, terminatedPodThreshold: 1 });
  await f.start();
  await c.sync('terminated');
  assert.deepEqual(f.writes(), ['delete pods ns/new-evicted', 'delete pods ns/old-done']);
  await f.stop();
});
