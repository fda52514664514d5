// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { R } from '../../client/client.js';
import { newFixture } from '../controller-fixture.js';
import { ReplicaSetController } from './replicaset-controller.js';
import { REPLICATION_CONTROLLER_KIND } from './replicaset-kind.js';

function rs(replicas: number, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: 'ns', uid: 'rs-uid', generation: 3 },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }, ...extra },
  };
}

function pod(name: string, opts: { owner?: string; ready?: boolean; node?: string; labels?: Record<string, string>; created?: string } = {}): KubeObject {
  const p: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `${name}-uid`, labels: opts.labels ?? { app: 'web', tier: 'fe' }, creationTimestamp: opts.created ?? '2024-01-01T00:00:00Z' },
    spec: { nodeName: opts.node, containers: [] },
    status: { phase: opts.ready ? 'Running' : 'Pending', conditions: opts.ready ? [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }] : [] },
  };
  if (opts.owner) p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: opts.owner, controller: true, blockOwnerDeletion: true }];
  return p;
}

test('creates missing pods from the template with a controller reference, then waits for them', async () => {
  const f = newFixture([rs(3)]);
  const c = new ReplicaSetController({ client: f.client, factory: f.factory, recorder: f.recorder, clock: f.clock });
  await f.start();
  await c.sync('ns/web');
  assert.deepEqual(f.writes(), ['create pods ns/', 'create pods ns/', 'create pods ns/', 'update replicasets/status ns/web']);
  const created = f.client.objects(R.pods, 'ns');
  assert.equal(created.length, 3);
  const p = created[0];
  assert.match(p.metadata.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.deepEqual(p.metadata.labels, { app: 'web', tier: 'fe' });
  assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(p.spec, { containers: [{ name: 'c', image: 'i' }] });
  assert.equal((await f.events()).filter((e) => e.startsWith('Normal SuccessfulCreate Created pod: web-')).length, 3);

  await f.settle();
  assert.equal(c.expectations.satisfied('ns/web'), true, 'the informer saw all three creations');
  f.client.clearActions();
  await c.sync('ns/web');
  assert.deepEqual(f.writes(), ['update replicasets/status ns/web'], 'no more pods, only the status catching up');
  assert.equal((f.client.objects(R.replicasets, 'ns')[0].status as { replicas: number }).replicas, 3);
  await f.stop();
});

test('while creations are not yet observed, sync creates nothing more', async () => {
  const f = newFixture([rs(3)]);
  const c = new ReplicaSetController({ client: f.client, factory: f.factory, recorder: f.recorder, clock: f.clock });
  await f.start();
  c.expectations.expectCreations('ns/web', 3);
  await c.sync('ns/web');
  assert.deepEqual(f.writes(), ['update replicasets/status ns/web']);
  await f.stop();
});

test('deletes surplus pods in upstream order: unscheduled, then not ready, then newer', async () => {
  const f = newFixture([
    rs(2),
    pod('ready-old', { owner: 'rs-uid', ready: true, node: 'n1', created: '2024-01-01T00:00:00Z' }),
    pod('ready-new', { owner: 'rs-uid', ready: true, node: 'n2', created: '2024-01-02T00:00:00Z' }),
    pod('notready', { owner: 'rs-uid', node: 'n3' }),
    pod('unscheduled', { owner: 'rs-uid', ready: false }),
  ]);
  const c = new ReplicaSetController({ client: f.client, factory: f.factory, recorder: f.recorder, clock: f.clock });
  await f.start();
  await c.sync('ns/web');
  assert.deepEqual(f.writes().slice(0, 2), ['delete pods ns/unscheduled', 'delete pods ns/notready']);
  assert.deepEqual(await f.events(), ['Normal SuccessfulDelete Deleted pod: unscheduled', 'Normal SuccessfulDelete Deleted pod: notready']);
  await f.stop();
});

test('adopts matching orphans, releases owned pods that stopped matching, ignores pods of other controllers', async () => {
  const other = pod('other', { labels: { app: 'web', tier: 'fe' } });
  other.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: 'x-uid', controller: true }];
  const f = newFixture([rs(2), pod('orphan'), pod('stray', { owner: 'rs-uid', labels: { app: 'db' } }), other, pod('mine', { owner: 'rs-uid', ready: true })]);
  const c = new ReplicaSetController({ client: f.client, factory: f.factory, recorder: f.recorder, clock: f.clock });
  await f.start();
  await c.sync('ns/web');
  assert.deepEqual(f.writes().sort(), ['patch pods ns/orphan', 'patch pods ns/stray', 'update replicasets/status ns/web']);
  const orphan = f.client.objects(R.pods, 'ns').find((p) => p.metadata.name === 'orphan')!;
  assert.equal(orphan.metadata.ownerReferences?.[0].uid, 'rs-uid');
  const stray = f.client.objects(R.pods, 'ns').find((p) => p.metadata.name === 'stray')!;
  assert.deepEqual(stray.metadata.ownerReferences ?? [], []);
  const status = f.client.objects(R.replicasets, 'ns')[0].status;
  assert.deepEqual(status, { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 1, availableReplicas: 1, observedGeneration: 3 });
  await f.stop();
});

test('availability waits for minReadySeconds; create failures set ReplicaFailure and a Warning', async () => {
  const now = Date.parse('2024-01-01T00:00:05Z');
  const f = newFixture([rs(2, { minReadySeconds: 10 }), pod('a', { owner: 'rs-uid', ready: true })]);
  f.clock.step(now - f.clock.now());
  const c = new ReplicaSetController({ client: f.client, factory: f.factory, recorder: f.recorder, clock: f.clock });
  await f.start();
  f.client.on('create', 'pods', () => {
    throw new Error('pods "web-" is forbidden: exceeded quota');
  });
  await assert.rejects(c.sync('ns/web'), /exceeded quota/);
  const st = f.client.objects(R.replicasets, 'ns')[0].status as { readyReplicas: number; availableReplicas: number; conditions: { type: string; reason: string }[] };
  assert.equal(st.readyReplicas, 1);
  assert.equal(st.availableReplicas, 0);
  assert.equal(st.conditions[0].type, 'ReplicaFailure');
  assert.equal(st.conditions[0].reason, 'FailedCreate');
  assert.deepEqual(await f.events(), ['Warning FailedCreate Error creating: pods "web-" is forbidden: exceeded quota']);
  assert.equal(c.expectations.satisfied('ns/web'), true, 'a failed create is not waited for');
  await f.stop();
});

test('ReplicationControllers use the same code with a map selector', async () => {
  const rc: KubeObject = {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'rc', namespace: 'ns', uid: 'rc-uid', generation: 1 },
    spec: { replicas: 1, selector: { app: 'rc' }, template: { metadata: { labels: { app: 'rc' } }, spec: { containers: [] } } },
  };
  const f = newFixture([rc]);
  const c = new ReplicaSetController({ client: f.client, factory: f.factory, recorder: f.recorder, clock: f.clock, kind: REPLICATION_CONTROLLER_KIND });
  await f.start();
  await c.sync('ns/rc');
  const [p] = f.client.objects(R.pods, 'ns');
  assert.equal(p.metadata.ownerReferences?.[0].kind, 'ReplicationController');
  assert.equal(p.metadata.ownerReferences?.[0].apiVersion, 'v1');
  await f.stop();
});
