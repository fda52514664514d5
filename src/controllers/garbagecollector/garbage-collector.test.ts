// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { R } from '../../client/client.js';
import { newFixture } from '../controller-fixture.js';
import { GarbageCollector } from './garbage-collector.js';

function rs(extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'ns', uid: 'rs-uid', ...extra }, spec: {} };
}
function pod(name: string, ownerUid: string, block = true): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', uid: `${name}-uid`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: ownerUid, controller: true, blockOwnerDeletion: block }] }, spec: {} };
}

test('a dependent whose owner is gone is deleted in the background, after a live check', async () => {
  const f = newFixture([pod('p1', 'gone-uid')]);
  const gc = new GarbageCollector({ client: f.client, factory: f.factory, clock: f.clock });
  await f.start();
  await gc.sync('p1-uid');
  assert.deepEqual(f.client.actions.filter((a) => a.verb === 'get' || a.verb === 'delete').map((a) => `${a.verb} ${a.resource} ${a.name} ${a.propagationPolicy ?? ''}`), ['get replicasets rs ', 'delete pods p1 Background']);
  await f.stop();
});

test('an owner with the same name but another uid does not keep a dependent alive', async () => {
  const f = newFixture([rs({ uid: 'new-uid' }), pod('p1', 'old-uid')]);
  const gc = new GarbageCollector({ client: f.client, factory: f.factory, clock: f.clock });
  await f.start();
  await gc.sync('p1-uid');
  assert.deepEqual(f.writes(), ['delete pods ns/p1']);
  await f.stop();
});

test('a live owner keeps its dependents', async () => {
  const f = newFixture([rs(), pod('p1', 'rs-uid')]);
  const gc = new GarbageCollector({ client: f.client, factory: f.factory, clock: f.clock });
  await f.start();
  await gc.sync('p1-uid');
  assert.deepEqual(f.writes(), []);
  await f.stop();
});

test('foregroundDeletion deletes dependents, then drops the finalizer once they are gone', async () => {
  const f = newFixture([rs({ deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] }), pod('p1', 'rs-uid'), pod('p2', 'rs-uid', false)]);
  const gc = new GarbageCollector({ client: f.client, factory: f.factory, clock: f.clock });
  await f.start();
  await gc.sync('rs-uid');
  assert.deepEqual(f.writes().sort(), ['delete pods ns/p1', 'delete pods ns/p2']);
  await f.settle();
  f.client.clearActions();
  await gc.sync('rs-uid');
  assert.deepEqual(f.writes(), ['patch replicasets ns/rs']);
  assert.equal(f.client.objects(R.replicasets).length, 0, 'finalizer removed, owner gone');
  await f.stop();
});

test('orphan removes the owner reference from dependents, then the finalizer', async () => {
  const f = newFixture([rs({ deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['orphan'] }), pod('p1', 'rs-uid')]);
  const gc = new GarbageCollector({ client: f.client, factory: f.factory, clock: f.clock });
  await f.start();
  await gc.sync('rs-uid');
  assert.deepEqual(f.writes(), ['patch pods ns/p1', 'patch replicasets ns/rs']);
  const [p] = f.client.objects(R.pods);
  assert.deepEqual(p.metadata.ownerReferences ?? [], []);
  assert.equal(f.client.objects(R.replicasets).length, 0);
  await f.stop();
});
