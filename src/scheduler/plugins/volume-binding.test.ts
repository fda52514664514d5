// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { PV, PVC, SC } from '../../api/volume/index.js';
import { NodeInfo } from '../framework/node-info.js';
import type { CycleState, Snapshot } from '../framework/plugin.js';
import { newPodInfo } from '../framework/pod-info.js';
import { VolumeBinding, VolumeBindingReasons } from './volume-binding.js';

const node = (name: string): NodeInfo => new NodeInfo({ metadata: { name, labels: { 'kubernetes.io/hostname': name } } } as Node);
const pod = (name: string, claim: string, nodeName?: string): Pod => ({
  metadata: { name, namespace: 'ns' },
  spec: { nodeName, containers: [{ name: 'c', image: 'i' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: claim } }] },
});
const pvc = (name: string, spec: Partial<NonNullable<PVC['spec']>>): PVC => ({ metadata: { name, namespace: 'ns', uid: name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec } });
const pinnedPV = (name: string, n: string, extra: Partial<NonNullable<PV['spec']>> = {}): PV => ({
  metadata: { name },
  spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'local', hostPath: { path: '/x' }, nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [n] }] }] } }, ...extra },
  status: { phase: 'Available' },
});
const classes: Record<string, SC> = {
  'local-path': { metadata: { name: 'local-path' }, provisioner: 'skiff.dev/local-path', volumeBindingMode: 'WaitForFirstConsumer' },
  local: { metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' },
  fast: { metadata: { name: 'fast' }, provisioner: 'x', volumeBindingMode: 'Immediate' },
};

function plugin(claims: PVC[], volumes: PV[] = []): VolumeBinding {
  return new VolumeBinding({
    claim: (ns, name) => claims.find((c) => c.metadata.name === name && c.metadata.namespace === ns),
    volume: (name) => volumes.find((v) => v.metadata.name === name),
    volumes: () => volumes,
    storageClass: (name) => classes[name],
  });
}

function snapshot(nodes: NodeInfo[]): Snapshot {
  return { nodes, get: (n) => nodes.find((x) => x.name === n), havePodsWithAffinity: () => [] };
}

/** feasible runs preFilter then filter over the nodes and returns the names that fit, or the preFilter reason. */
function feasible(p: VolumeBinding, podObj: Pod, nodes: NodeInfo[]): string[] | string {
  const state: CycleState = new Map();
  const pi = newPodInfo(podObj);
  const pre = p.preFilter(state, pi, snapshot(nodes));
  if (pre === 'skip') return nodes.map((n) => n.name);
  if (pre) return pre.reasons.join(', ');
  return nodes.filter((n) => !p.filter(state, pi, n)).map((n) => n.name);
}

describe('VolumeBinding', () => {
  const nodes = () => [node('n1'), node('n2')];

  it('rejects a pod whose claim is missing with the upstream message', () => {
    assert.equal(feasible(plugin([]), pod('p', 'x'), nodes()), 'persistentvolumeclaim "x" not found');
  });

  it('rejects unbound claims of an Immediate class', () => {
    assert.equal(feasible(plugin([pvc('c', { storageClassName: 'fast' })]), pod('p', 'c'), nodes()), VolumeBindingReasons.unboundImmediate);
  });

  it('keeps a pod with a bound claim on its volume\'s node', () => {
    const p = plugin([pvc('c', { volumeName: 'v', storageClassName: 'local' })], [pinnedPV('v', 'n2')]);
    assert.deepEqual(feasible(p, pod('p', 'c'), nodes()), ['n2']);
  });

  it('lets a WaitForFirstConsumer claim go where a free static PV is, or anywhere its class provisions', () => {
    assert.deepEqual(feasible(plugin([pvc('c', { storageClassName: 'local' })], [pinnedPV('v', 'n1')]), pod('p', 'c'), nodes()), ['n1']);
    assert.deepEqual(feasible(plugin([pvc('c', { storageClassName: 'local' })]), pod('p', 'c'), nodes()), []);
    assert.deepEqual(feasible(plugin([pvc('c', { storageClassName: 'local-path' })]), pod('p', 'c'), nodes()), ['n1', 'n2']);
  });

  it('keeps a second user of a ReadWriteOnce claim on the first one\'s node, and refuses a second ReadWriteOncePod user', () => {
    const ns = nodes();
    ns[0].addPod(newPodInfo(pod('first', 'c', 'n1')));
    const rwo = plugin([pvc('c', { volumeName: 'v', storageClassName: '' })], [{ ...pinnedPV('v', 'n1'), spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/x' } } }]);
    assert.deepEqual(feasible(rwo, pod('p', 'c'), ns), ['n1']);
    const rwop = plugin([pvc('c', { volumeName: 'v', accessModes: ['ReadWriteOncePod'] })], [pinnedPV('v', 'n1')]);
    assert.equal(feasible(rwop, pod('p', 'c'), ns), VolumeBindingReasons.readWriteOncePodConflict);
  });
});
