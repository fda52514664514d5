// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { R } from '../../client/client.js';
import { newFixture } from '../controller-fixture.js';
import { newControllerRevision, REVISION_HASH_LABEL } from '../controller-revision.js';
import { StatefulSetController } from './statefulset-controller.js';

function sts(extra: Record<string, unknown> = {}, image = 'nginx:1'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'ns', uid: 'sts-uid', generation: 2 },
    spec: {
      replicas: 3,
      serviceName: 'nginx',
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } },
      ...extra,
    },
  };
}

function revisionFor(set: KubeObject, revision: number): KubeObject {
  return newControllerRevision({ owner: set, apiVersion: 'apps/v1', kind: 'StatefulSet', template: (set.spec as { template: never }).template, revision, collisionCount: 0, hashLabel: REVISION_HASH_LABEL });
}

function pod(ordinal: number, revision: string, ready = true): KubeObject {
  const name = `web-${ordinal}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: `${name}-uid`,
      labels: { app: 'web', 'controller-revision-hash': revision, 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': String(ordinal) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'sts-uid', controller: true, blockOwnerDeletion: true }],
    },
    spec: { containers: [] },
    status: { phase: ready ? 'Running' : 'Pending', conditions: ready ? [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }] : [] },
  };
}

async function setup(objects: KubeObject[]) {
  const f = newFixture(objects);
  const c = new StatefulSetController({ client: f.client, factory: f.factory, recorder: f.recorder, clock: f.clock });
  await f.start();
  return { f, c };
}

test('OrderedReady creates web-0 first with its identity, claim and revision, and waits', async () => {
  const set = sts({ volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] });
  const { f, c } = await setup([set]);
  await c.sync('ns/web');
  const rev = f.client.objects(R.controllerrevisions, 'ns')[0];
  assert.deepEqual(f.writes(), [`create controllerrevisions ns/${rev.metadata.name}`, 'create persistentvolumeclaims ns/data-web-0', 'create pods ns/web-0', 'update statefulsets/status ns/web']);
  assert.match(rev.metadata.name!, /^web-[a-z0-9]+$/);
  assert.equal(rev.revision, 1);
  const [p] = f.client.objects(R.pods, 'ns');
  assert.equal(p.metadata.labels!['statefulset.kubernetes.io/pod-name'], 'web-0');
  assert.equal(p.metadata.labels!['apps.kubernetes.io/pod-index'], '0');
  assert.equal(p.metadata.labels!['controller-revision-hash'], rev.metadata.name);
  const spec = p.spec as { hostname: string; subdomain: string; volumes: unknown[] };
  assert.equal(spec.hostname, 'web-0');
  assert.equal(spec.subdomain, 'nginx');
  assert.deepEqual(spec.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } }]);
  const [claim] = f.client.objects(R.persistentvolumeclaims, 'ns');
  assert.deepEqual(claim.metadata.labels, { app: 'web' });
  assert.equal(claim.metadata.ownerReferences, undefined, 'Retain/Retain: the claim has no owner');
  assert.deepEqual(await f.events(), ['Normal SuccessfulCreate create Claim data-web-0 Pod web-0 in StatefulSet web success', 'Normal SuccessfulCreate create Pod web-0 in StatefulSet web successful']);
  await f.stop();
});

test('the next ordinal is created only once its predecessors are Running and Ready', async () => {
  const set = sts();
  const rev = revisionFor(set, 1);
  const { f, c } = await setup([set, rev, pod(0, rev.metadata.name!, false)]);
  await c.sync('ns/web');
  assert.deepEqual(f.writes(), ['update statefulsets/status ns/web'], 'web-0 is not ready yet');
  f.client.clearActions();
  f.client.seed({ ...pod(0, rev.metadata.name!, true), metadata: { ...pod(0, rev.metadata.name!).metadata } });
  await f.settle();
  await c.sync('ns/web');
  assert.deepEqual(f.writes(), ['create pods ns/web-1', 'update statefulsets/status ns/web']);
  await f.stop();
});

test('Parallel creates every ordinal at once; whenDeleted=Delete makes the set own the claims', async () => {
  const set = sts({
    podManagementPolicy: 'Parallel',
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }],
  });
  const { f, c } = await setup([set]);
  await c.sync('ns/web');
  const pods = f.client.objects(R.pods, 'ns').map((p) => p.metadata.name).sort();
  assert.deepEqual(pods, ['web-0', 'web-1', 'web-2']);
  const claims = f.client.objects(R.persistentvolumeclaims, 'ns');
  assert.deepEqual(claims.map((c) => c.metadata.name).sort(), ['data-web-0', 'data-web-1', 'data-web-2']);
  assert.equal(claims[0].metadata.ownerReferences?.[0].uid, 'sts-uid');
  await f.stop();
});

test('scale down deletes the highest ordinal first, one at a time', async () => {
  const set = sts({ replicas: 1 });
  const rev = revisionFor(set, 1);
  const { f, c } = await setup([set, rev, pod(0, rev.metadata.name!), pod(1, rev.metadata.name!), pod(2, rev.metadata.name!)]);
  await c.sync('ns/web');
  assert.deepEqual(f.writes(), ['delete pods ns/web-2', 'update statefulsets/status ns/web']);
  await f.stop();
});

test('a rolling update with a partition replaces pods from the highest ordinal down to the partition', async () => {
  const old = sts({}, 'nginx:1');
  const oldRev = revisionFor(old, 1);
  const set = sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }, 'nginx:2');
  set.status = { currentRevision: oldRev.metadata.name, updateRevision: oldRev.metadata.name, observedGeneration: 1 };
  const { f, c } = await setup([set, oldRev, pod(0, oldRev.metadata.name!), pod(1, oldRev.metadata.name!), pod(2, oldRev.metadata.name!)]);
  await c.sync('ns/web');
  const revs = f.client.objects(R.controllerrevisions, 'ns');
  const newRev = revs.find((r) => r.metadata.name !== oldRev.metadata.name)!;
  assert.equal(newRev.revision, 2);
  assert.deepEqual(f.writes(), [`create controllerrevisions ns/${newRev.metadata.name}`, 'delete pods ns/web-2', 'update statefulsets/status ns/web']);
  const status = f.client.objects(R.statefulsets, 'ns')[0].status as Record<string, unknown>;
  assert.equal(status.currentRevision, oldRev.metadata.name);
  assert.equal(status.updateRevision, newRev.metadata.name);

  // web-2 came back at the new revision and is ready: web-1 is next, web-0 stays (partition 1).
  f.client.seed(pod(2, newRev.metadata.name!));
  await f.settle();
  f.client.clearActions();
  await c.sync('ns/web');
  assert.deepEqual(f.writes(), ['delete pods ns/web-1', 'update statefulsets/status ns/web']);
  f.client.seed(pod(1, newRev.metadata.name!));
  await f.settle();
  f.client.clearActions();
  await c.sync('ns/web');
  assert.deepEqual(f.writes(), ['update statefulsets/status ns/web']);
  const st = f.client.objects(R.statefulsets, 'ns')[0].status as Record<string, unknown>;
  assert.equal(st.updatedReplicas, 2);
  assert.equal(st.currentReplicas, 1);
  await f.stop();
});

test('going back to an old template reuses its revision with the next number', async () => {
  const v1 = sts({}, 'nginx:1');
  const r1 = revisionFor(v1, 1);
  const r2 = revisionFor(sts({}, 'nginx:2'), 2);
  const set = sts({}, 'nginx:1');
  set.status = { currentRevision: r2.metadata.name, updateRevision: r2.metadata.name };
  const { f, c } = await setup([set, r1, r2]);
  await c.sync('ns/web');
  const again = f.client.objects(R.controllerrevisions, 'ns').find((r) => r.metadata.name === r1.metadata.name)!;
  assert.equal(again.revision, 3);
  assert.equal(f.writes()[0], `update controllerrevisions ns/${r1.metadata.name}`);
  await f.stop();
});
