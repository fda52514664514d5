// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { defaultTolerations } from './default-tolerations.js';
import { desiredTaints, lastHeartbeatMs, unknownConditions } from './node-health.js';
import { evictionDecision } from './taint-eviction.js';

const t0 = Date.parse('2026-01-01T00:00:00Z');

function node(ready: string, taints?: Taint[]): Node {
  return { metadata: { name: 'n', creationTimestamp: '2025-12-31T00:00:00Z' }, spec: { taints }, status: { conditions: [{ type: 'Ready', status: ready, lastHeartbeatTime: '2026-01-01T00:00:00Z' }] } };
}

test('heartbeat is the newest of lease renewTime and Ready heartbeat', () => {
  assert.equal(lastHeartbeatMs(node('True'), '2026-01-01T00:00:10.500000Z'), t0 + 10_500);
  assert.equal(lastHeartbeatMs(node('True'), undefined), t0);
});

test('a silent node gets Unknown conditions with upstream reason and message', () => {
  const conds = unknownConditions(node('True'), t0 + 60_000)!;
  const ready = conds.find((c) => c.type === 'Ready')!;
  assert.deepEqual([ready.status, ready.reason, ready.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
  assert.equal(conds.length, 4);
  assert.equal(unknownConditions({ status: { conditions: conds } }, t0 + 70_000), undefined);
});

test('a node that never posted status gets NodeStatusNeverUpdated, heartbeat at its creation', () => {
  const conds = unknownConditions({ metadata: { name: 'n', creationTimestamp: '2025-12-31T00:00:00Z' } }, t0 + 60_000)!;
  assert.equal(conds.length, 4);
  for (const c of conds) {
    assert.deepEqual([c.status, c.reason, c.message, c.lastHeartbeatTime], ['Unknown', 'NodeStatusNeverUpdated', 'Kubelet never posted node status.', '2025-12-31T00:00:00Z']);
  }
});

test('taints follow the Ready condition', () => {
  assert.deepEqual(desiredTaints(node('Unknown'), t0)?.map((t) => `${t.key}:${t.effect}`), ['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
  assert.deepEqual(desiredTaints(node('False'), t0)?.map((t) => t.key), ['node.kubernetes.io/not-ready', 'node.kubernetes.io/not-ready']);
  const tainted = node('Unknown', desiredTaints(node('Unknown'), t0));
  assert.equal(desiredTaints(tainted, t0 + 1000), undefined);
  const back = desiredTaints({ ...tainted, status: node('True').status }, t0)!;
  assert.deepEqual(back, []);
  assert.equal(desiredTaints(node('True', [{ key: 'x', effect: 'NoSchedule' }]), t0), undefined);
});

test('pressure conditions add their NoSchedule taints and remove them when they clear, as TaintNodesByCondition', () => {
  const pressured: Node = { ...node('True'), status: { conditions: [...node('True').status!.conditions!, { type: 'DiskPressure', status: 'True' }, { type: 'MemoryPressure', status: 'False' }] } };
  const taints = desiredTaints(pressured, t0)!;
  assert.deepEqual(taints.map((t) => `${t.key}:${t.effect}`), ['node.kubernetes.io/disk-pressure:NoSchedule']);
  assert.equal(desiredTaints({ ...pressured, spec: { taints } }, t0), undefined);
  assert.deepEqual(desiredTaints({ ...node('True'), spec: { taints: [...taints, { key: 'x', effect: 'NoSchedule' }] } }, t0), [{ key: 'x', effect: 'NoSchedule' }]);
});

test('eviction: untolerated at once, tolerationSeconds after timeAdded, unbounded never', () => {
  const taints = [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' }];
  const p = (tolerations?: Toleration[]): Pod => ({ metadata: { name: 'p' }, spec: { containers: [], tolerations } });
  assert.deepEqual(evictionDecision(p(), taints, t0), { action: 'evict' });
  const bounded = p(defaultTolerations(p()));
  assert.deepEqual(evictionDecision(bounded, taints, t0 + 1000), { action: 'wait', at: t0 + 300_000 });
  assert.deepEqual(evictionDecision(bounded, taints, t0 + 300_000), { action: 'evict' });
  assert.deepEqual(evictionDecision(p([{ operator: 'Exists' }]), taints, t0), { action: 'keep' });
  assert.deepEqual(evictionDecision(p(), [{ key: 'x', effect: 'NoSchedule' }], t0), { action: 'keep' });
});

test('defaultTolerations adds 300 s tolerations only where the pod has none', () => {
  const own = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 };
  const got = defaultTolerations({ spec: { containers: [], tolerations: [own] } });
  assert.deepEqual(got, [own, { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]);
});
