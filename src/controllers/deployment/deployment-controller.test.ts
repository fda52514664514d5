// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { R } from '../../client/client.js';
import { newFixture } from '../controller-fixture.js';
import { DeploymentController } from './deployment-controller.js';
import { computeHash } from './pod-template-hash.js';
import { type ReplicaSetObj } from './deployment-objects.js';

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v1' }] } };

function deploy(replicas: number, extra: Record<string, unknown> = {}, tpl: unknown = template): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', uid: 'd-uid', generation: 1, annotations: { team: 'a' } },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: tpl, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, ...extra },
  };
}

function replicaSet(name: string, tpl: unknown, replicas: number, available: number, revision: string, created: string): KubeObject {
  const hash = name.split('-').pop()!;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name, namespace: 'ns', uid: `${name}-uid`, generation: 1, creationTimestamp: created, labels: { app: 'web', 'pod-template-hash': hash },
      annotations: { 'deployment.kubernetes.io/revision': revision, 'deployment.kubernetes.io/desired-replicas': '4', 'deployment.kubernetes.io/max-replicas': '5' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true }],
    },
    spec: { replicas, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: { ...(tpl as object), metadata: { labels: { app: 'web', 'pod-template-hash': hash } } } },
    status: { replicas, readyReplicas: available, availableReplicas: available, observedGeneration: 1 },
  };
}

test('a new Deployment gets a ReplicaSet named by its template hash, with revision and replica annotations', async () => {
  const f = newFixture([deploy(3)]);
  const c = new DeploymentController({ client: f.client, factory: f.factory, recorder: f.recorder, clock: f.clock });
  await f.start();
  await c.sync('ns/web');
  const hash = computeHash(template as never);
  assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.deepEqual(f.writes(), [`create replicasets ns/web-${hash}`, 'patch deployments/status ns/web', 'update deployments/status ns/web', 'update deployments/status ns/web']);
  const [rs] = f.client.objects(R.replicasets, 'ns') as ReplicaSetObj[];
  assert.equal(rs.spec?.replicas, 3);
  assert.deepEqual(rs.metadata.labels, { app: 'web', 'pod-template-hash': hash });
  assert.deepEqual(rs.spec?.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
  assert.deepEqual(rs.metadata.annotations, { team: 'a', 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
  assert.equal(rs.metadata.ownerReferences?.[0].uid, 'd-uid');
  const [d] = f.client.objects(R.deployments, 'ns');
  assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
  const conds = (d.status as { conditions: { type: string; status: string; reason: string; message: string }[] }).conditions;
  assert.deepEqual(conds.map((x) => `${x.type}=${x.status}/${x.reason}`).sort(), ['Available=False/MinimumReplicasUnavailable', 'Progressing=True/NewReplicaSetCreated']);
  assert.deepEqual(await f.events(), [`Normal ScalingReplicaSet Scaled up replica set web-${hash} to 3`]);
  await f.stop();
});

test('a template change rolls: surge the new ReplicaSet first, then shrink the old within maxUnavailable', async () => {
  const v2 = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v2' }] } };
  const old = replicaSet('web-old', template, 4, 4, '1', '2024-01-01T00:00:00Z');
  const f = newFixture([deploy(4, {}, v2), old]);
  const c = new DeploymentController({ client: f.client, factory: f.factory, recorder: f.recorder, clock: f.clock });
  await f.start();
  await c.sync('ns/web');
  const hash = computeHash(v2 as never);
  const sets = f.client.objects(R.replicasets, 'ns') as ReplicaSetObj[];
  const created = sets.find((s) => s.metadata.name === `web-${hash}`)!;
  // maxSurge 25% of 4 = 1: one new pod beside the four old ones.
  assert.equal(created.spec?.replicas, 1);
  assert.equal(created.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
  // Then the old one may lose maxUnavailable (1) since all 4 old pods are available.
  f.client.clearActions();
  await f.settle();
  await c.sync('ns/web');
  const after = f.client.objects(R.replicasets, 'ns').find((s) => s.metadata.name === 'web-old') as ReplicaSetObj;
  assert.equal(after.spec?.replicas, 3);
  assert.ok((await f.events()).includes('Normal ScalingReplicaSet Scaled down replica set web-old to 3 from 4'));
  await f.stop();
});

test('a size change scales proportionally across active ReplicaSets', async () => {
  const v2 = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v2' }] } };
  const hash = computeHash(v2 as never);
  const old = replicaSet('web-old', template, 2, 2, '1', '2024-01-01T00:00:00Z');
  const cur = replicaSet(`web-${hash}`, v2, 3, 1, '2', '2024-01-02T00:00:00Z');
  // Both were sized for 4 desired / 5 max; the Deployment now wants 8 (max 10).
  const f = newFixture([deploy(8, {}, v2), old, cur]);
  const c = new DeploymentController({ client: f.client, factory: f.factory, recorder: f.recorder, clock: f.clock });
  await f.start();
  await c.sync('ns/web');
  const sizes = Object.fromEntries(f.client.objects(R.replicasets, 'ns').map((s) => [s.metadata.name, (s as ReplicaSetObj).spec?.replicas]));
  assert.deepEqual(sizes, { 'web-old': 4, [`web-${hash}`]: 6 });
  await f.stop();
});

test('Recreate scales old ReplicaSets to zero before creating the new one', async () => {
  const v2 = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v2' }] } };
  const old = replicaSet('web-old', template, 4, 4, '1', '2024-01-01T00:00:00Z');
  old.metadata.annotations!['deployment.kubernetes.io/desired-replicas'] = '4';
  const f = newFixture([deploy(4, { strategy: { type: 'Recreate' } }, v2), old]);
  const c = new DeploymentController({ client: f.client, factory: f.factory, recorder: f.recorder, clock: f.clock });
  await f.start();
  await c.sync('ns/web');
  assert.deepEqual(f.writes(), ['update replicasets ns/web-old', 'update deployments/status ns/web']);
  await f.stop();
});
