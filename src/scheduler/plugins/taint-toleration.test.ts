// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeInfo } from '../framework/node-info.js';
import { newPodInfo } from '../framework/pod-info.js';
import { makeNode, makePod } from '../testdata/objects.js';
import { taintToleration } from './taint-toleration.js';
import { nodeUnschedulable } from './node-unschedulable.js';

const cp = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

test('TaintToleration rejects untolerated NoSchedule taints with upstream text', () => {
  const ni = new NodeInfo(makeNode('n', { taints: [cp] }));
  const f = taintToleration.filter!(new Map(), newPodInfo(makePod('p')), ni);
  assert.deepEqual(f, { code: 'UnschedulableAndUnresolvable', reasons: ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'] });
  const tolerant = makePod('t', { spec: { tolerations: [{ key: cp.key, operator: 'Exists', effect: 'NoSchedule' }] } });
  assert.equal(taintToleration.filter!(new Map(), newPodInfo(tolerant), ni), null);
  const equal = makePod('e', { spec: { tolerations: [{ key: 'k', operator: 'Equal', value: 'v' }] } });
  const kv = new NodeInfo(makeNode('m', { taints: [{ key: 'k', value: 'v', effect: 'NoExecute' }] }));
  assert.equal(taintToleration.filter!(new Map(), newPodInfo(equal), kv), null);
  const other = new NodeInfo(makeNode('o', { taints: [{ key: 'k', value: 'w', effect: 'NoExecute' }] }));
  assert.ok(taintToleration.filter!(new Map(), newPodInfo(equal), other));
});

test('PreferNoSchedule taints only lower the score', () => {
  const soft = new NodeInfo(makeNode('s', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }] }));
  const pod = newPodInfo(makePod('p'));
  assert.equal(taintToleration.filter!(new Map(), pod, soft), null);
  const scores = [taintToleration.score!(new Map(), pod, soft), 0];
  taintToleration.normalizeScore!(new Map(), pod, scores);
  assert.deepEqual(scores, [0, 100]);
});

test('NodeUnschedulable rejects cordoned nodes unless tolerated', () => {
  const ni = new NodeInfo(makeNode('n', { unschedulable: true }));
  assert.deepEqual(nodeUnschedulable.filter!(new Map(), newPodInfo(makePod('p')), ni)?.reasons, ['node(s) were unschedulable']);
  const ds = makePod('d', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } });
  assert.equal(nodeUnschedulable.filter!(new Map(), newPodInfo(ds), ni), null);
});
