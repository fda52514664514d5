// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { nodeTableConvertor } from './node-printer.js';

const now = new Date('2024-05-01T12:00:00Z');
const created = new Date(now.getTime() - 30 * 60 * 1000).toISOString();

function node(extra: { labels?: Record<string, string>; unschedulable?: boolean; conditions?: object[]; addresses?: object[]; nodeInfo?: object }): KubeObject {
  return {
    kind: 'Node',
    metadata: { name: 'node-a', creationTimestamp: created, labels: extra.labels ?? {} },
    spec: { unschedulable: extra.unschedulable },
    status: { conditions: extra.conditions ?? [], addresses: extra.addresses ?? [], nodeInfo: extra.nodeInfo },
  };
}

test('node columns: NAME STATUS ROLES AGE VERSION, wide addresses and system info', () => {
  assert.deepEqual(
    nodeTableConvertor.columns.map((c) => [c.name, c.priority]),
    [
      ['Name', 0], ['Status', 0], ['Roles', 0], ['Age', 0], ['Version', 0],
      ['Internal-IP', 1], ['External-IP', 1], ['OS-Image', 1], ['Kernel-Version', 1], ['Container-Runtime', 1],
    ],
  );
});

test('a ready control-plane node prints roles, version and wide info', () => {
  const n = node({
    labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/master': 'true', 'kubernetes.io/hostname': 'node-a' },
    conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
    addresses: [{ type: 'Hostname', address: 'node-a' }, { type: 'InternalIP', address: '192.168.1.5' }, { type: 'InternalIP', address: '192.168.1.6' }],
    nodeInfo: { kubeletVersion: 'v1.32.0-skiff', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0-18-amd64', containerRuntimeVersion: 'containerd://1.7.24' },
  });
  assert.deepEqual(nodeTableConvertor.row(n, now), [
    'node-a', 'Ready', 'control-plane,master', '30m', 'v1.32.0-skiff',
    '192.168.1.5', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0-18-amd64', 'containerd://1.7.24',
  ]);
});

test('node status: NotReady, SchedulingDisabled, Unknown without a Ready condition', () => {
  const cordoned = node({ unschedulable: true, conditions: [{ type: 'Ready', status: 'Unknown' }] });
  assert.equal(nodeTableConvertor.row(cordoned, now)[1], 'NotReady,SchedulingDisabled');
  assert.equal(nodeTableConvertor.row(node({ unschedulable: true, conditions: [{ type: 'Ready', status: 'True' }] }), now)[1], 'Ready,SchedulingDisabled');
  // Upstream's TestPrintNodeInternalIP: no conditions, no info.
  const bare = node({ addresses: [{ type: 'ExternalIP', address: '1.1.1.1' }] });
  assert.deepEqual(nodeTableConvertor.row(bare, now), ['node-a', 'Unknown', '<none>', '30m', '', '<none>', '1.1.1.1', '<unknown>', '<unknown>', '<unknown>']);
});

test('roles come from node-role.kubernetes.io/<role> keys and the kubernetes.io/role value', () => {
  const n = node({ labels: { 'kubernetes.io/role': 'worker', 'node-role.kubernetes.io/': 'x', 'node-role.kubernetes.io/ingress': '' } });
  assert.equal(nodeTableConvertor.row(n, now)[2], 'ingress,worker');
});
