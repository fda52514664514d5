// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { R } from '../../client/client.js';
import { newFixture } from '../controller-fixture.js';
import { DaemonSetController } from './daemonset-controller.js';
import { nodeShouldRunDaemonPod, type DaemonSetObj, type NodeObj } from './daemon-pod.js';

function ds(extra: Record<string, unknown> = {}, image = 'agent:1'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'ns', uid: 'ds-uid', generation: 1 },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image }] } },
      ...extra,
    },
  };
}

function node(name: string, spec: Record<string, unknown> = {}, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `${name}-uid`, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec };
}

function daemonPod(name: string, nodeName: string, hash: string, phase = 'Running'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `${name}-uid`, labels: { app: 'agent', 'controller-revision-hash': hash }, creationTimestamp: '2024-01-01T00:00:00Z', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true }] },
    spec: { nodeName, containers: [] },
    status: { phase, conditions: [{ type: 'Ready', status: phase === 'Running' ? 'True' : 'False', lastTransitionTime: '2024-01-01T00:00:00Z' }] },
  };
}

async function setup(objects: KubeObject[]) {
  const f = newFixture(objects);
  const c = new DaemonSetController({ client: f.client, factory: f.factory, recorder: f.recorder, clock: f.clock });
  await f.start();
  return { f, c };
}

test('creates one pod per eligible node, pinned by node affinity, with the daemon tolerations', async () => {
  const tainted = node('n3', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
  const { f, c } = await setup([ds(), node('n1'), node('n2', { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }), tainted]);
  await c.sync('ns/agent');
  const pods = f.client.objects(R.pods, 'ns');
  const targets = pods.map((p) => (p.spec as { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: { matchFields: { values: string[] }[] }[] } } } }).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0]);
  assert.deepEqual(targets.sort(), ['n1', 'n2'], 'the unschedulable node is tolerated, the dedicated one is not');
  const [rev] = f.client.objects(R.controllerrevisions, 'ns');
  assert.equal(pods[0].metadata.labels!['controller-revision-hash'], rev.metadata.labels!['controller-revision-hash']);
  assert.equal(pods[0].metadata.labels!['pod-template-generation'], '1');
  const keys = (pods[0].spec as { tolerations: { key: string; effect: string }[] }).tolerations.map((t) => `${t.key}:${t.effect}`);
  assert.deepEqual(keys, [
    'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/disk-pressure:NoSchedule',
    'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule',
  ]);
  const status = f.client.objects(R.daemonsets, 'ns')[0].status as Record<string, number>;
  assert.equal(status.desiredNumberScheduled, 2);
  assert.equal(status.currentNumberScheduled, 0);
  assert.equal((await f.events()).filter((e) => e.startsWith('Normal SuccessfulCreate Created pod: agent-')).length, 2);

  await f.settle();
  f.client.clearActions();
  await c.sync('ns/agent');
  assert.deepEqual(f.writes(), ['update daemonsets/status ns/agent'], 'unscheduled pods are found through their node affinity');
  assert.equal((f.client.objects(R.daemonsets, 'ns')[0].status as Record<string, number>).currentNumberScheduled, 2);
  await f.stop();
});

test('a node added later gets its pod; pods on nodes that no longer fit are deleted', async () => {
  const set = ds({ template: { metadata: { labels: { app: 'agent' } }, spec: { nodeSelector: { role: 'edge' }, containers: [] } } });
  const { f, c } = await setup([set, node('n1', {}, { role: 'edge' })]);
  await c.sync('ns/agent');
  await f.settle();
  const [first] = f.client.objects(R.pods, 'ns');
  f.client.seed({ ...first, spec: { ...(first.spec as object), nodeName: 'n1' } });
  f.client.seed(node('n2', {}, { role: 'edge' }));
  f.client.seed(daemonPod('stray', 'n3', 'x'));
  f.client.seed(node('n3', {}, { role: 'core' }));
  await f.settle();
  f.client.clearActions();
  await c.sync('ns/agent');
  assert.deepEqual(f.writes(), ['delete pods ns/stray', 'create pods ns/', 'update daemonsets/status ns/agent']);
  const status = f.client.objects(R.daemonsets, 'ns')[0].status as Record<string, number>;
  assert.equal(status.desiredNumberScheduled, 2);
  assert.equal(status.numberMisscheduled, 1);
  await f.stop();
});

test('rolling update deletes at most maxUnavailable old pods; failed pods are replaced after a back-off', async () => {
  const { f, c } = await setup([ds({}, 'agent:2'), node('n1'), node('n2'), node('n3'), daemonPod('a', 'n1', 'old'), daemonPod('b', 'n2', 'old'), daemonPod('x', 'n3', 'old', 'Failed')]);
  await c.sync('ns/agent');
  const writes = f.writes();
  assert.deepEqual(writes.filter((w) => w.startsWith('delete pods')), ['delete pods ns/x'], 'the failed pod goes; the rollout waits for the next sync');
  assert.ok((await f.events()).includes('Warning FailedDaemonPod Found failed daemon pod ns/x on node n3, will try to kill it'));
  await f.settle();
  f.client.clearActions();
  await c.sync('ns/agent');
  assert.deepEqual(f.writes().filter((w) => w.startsWith('create pods')), [], 'back-off holds the replacement');
  f.clock.step(1500);
  f.client.clearActions();
  await c.sync('ns/agent');
  assert.deepEqual(f.writes().filter((w) => !w.startsWith('update')), ['create pods ns/']);
  await f.settle();
  f.client.clearActions();
  await c.sync('ns/agent');
  // n3's new pod is not available yet, which uses up maxUnavailable=1: nothing old is deleted.
  assert.deepEqual(f.writes().filter((w) => w.startsWith('delete')), []);
  await f.stop();
});

test('placement: NoExecute taints evict, NoSchedule taints only stop new pods', () => {
  const d = ds() as DaemonSetObj;
  const noSchedule = node('a', { taints: [{ key: 'k', effect: 'NoSchedule' }] }) as NodeObj;
  const noExecute = node('b', { taints: [{ key: 'k', effect: 'NoExecute' }] }) as NodeObj;
  const notReady = node('c', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }) as NodeObj;
  assert.deepEqual(nodeShouldRunDaemonPod(noSchedule, d), { shouldRun: false, shouldContinueRunning: true });
  assert.deepEqual(nodeShouldRunDaemonPod(noExecute, d), { shouldRun: false, shouldContinueRunning: false });
  assert.deepEqual(nodeShouldRunDaemonPod(notReady, d), { shouldRun: true, shouldContinueRunning: true });
});
