// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { DEFAULT_CALCULATOR_OPTIONS, resourceAverageValueReplicas, resourceUtilizationReplicas, type PodSample } from './replica-calculator.js';

const NOW = Date.parse('2024-01-01T01:00:00Z');
const opts = { ...DEFAULT_CALCULATOR_OPTIONS, now: NOW };
const LONG_AGO = '2024-01-01T00:00:00Z';

function pod(name: string, request = '500m', o: { phase?: string; ready?: boolean; started?: string; deleting?: boolean } = {}): Pod {
  return {
    metadata: { name, ...(o.deleting ? { deletionTimestamp: LONG_AGO } : {}) },
    spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: request } } }] },
    status: {
      phase: o.phase ?? 'Running',
      startTime: o.started ?? LONG_AGO,
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.started ?? LONG_AGO }],
    },
  };
}

function samples(values: Record<string, number>): Map<string, PodSample> {
  return new Map(Object.entries(values).map(([p, v]) => [p, { value: v, timestamp: NOW, windowMs: 30_000 }]));
}

test('utilization above target scales up by the usage ratio', () => {
  const pods = [pod('a'), pod('b')];
  // 400m of 500m = 80%, target 50% -> ratio 1.6 -> ceil(3.2) = 4
  const r = resourceUtilizationReplicas(2, 50, pods, samples({ a: 400, b: 400 }), 'cpu', opts);
  assert.deepEqual(r, { replicas: 4, utilization: 80, average: 400 });
});

test('within the 10% tolerance keeps the current count', () => {
  const r = resourceUtilizationReplicas(2, 50, [pod('a'), pod('b')], samples({ a: 270, b: 270 }), 'cpu', opts);
  assert.equal(r.replicas, 2);
  assert.equal(r.utilization, 54);
});

test('a missing sample counts as 0% on a scale-up', () => {
  // a at 100%: ratio 2; with b (missing) at 0: 50% average -> ratio 1 -> within tolerance -> keep 2.
  const r = resourceUtilizationReplicas(2, 50, [pod('a'), pod('b')], samples({ a: 500 }), 'cpu', opts);
  assert.equal(r.replicas, 2);
  // Three pods, two at 100%, one missing: (500+500+0)/1500 = 66% -> ratio 1.33 -> ceil(4) = 4.
  const r2 = resourceUtilizationReplicas(3, 50, [pod('a'), pod('b'), pod('c')], samples({ a: 500, b: 500 }), 'cpu', opts);
  assert.equal(r2.replicas, 4);
});

test('a missing sample counts as 100% of its request on a scale-down', () => {
  // a at 10%: ratio 0.2; with b at 100% -> 55% -> ratio 1.1 -> within tolerance -> keep 2.
  const r = resourceUtilizationReplicas(2, 50, [pod('a'), pod('b')], samples({ a: 50 }), 'cpu', opts);
  assert.equal(r.replicas, 2);
});

test('unready pods count as 0% only when scaling up', () => {
  const pods = [pod('a'), pod('b', '500m', { ready: false, started: new Date(NOW - 60_000).toISOString() })];
  // a at 200%: ratio 4 -> rebalanced (1000+0)/1000 = 100% -> ratio 2 -> ceil(2*2) = 4.
  const r = resourceUtilizationReplicas(2, 50, pods, samples({ a: 1000, b: 1000 }), 'cpu', opts);
  assert.equal(r.replicas, 4);
  assert.equal(r.utilization, 200, 'reported utilization leaves the unready pod out');
});

test('deleted and failed pods are ignored, pending pods are unready', () => {
  const pods = [pod('a'), pod('gone', '500m', { deleting: true }), pod('failed', '500m', { phase: 'Failed' })];
  const r = resourceUtilizationReplicas(1, 50, pods, samples({ a: 100, gone: 5000, failed: 5000 }), 'cpu', opts);
  assert.equal(r.utilization, 20);
  assert.equal(r.replicas, 1, 'ceil(0.4) = 1');
});

test('errors carry upstream wording', () => {
  assert.throws(() => resourceUtilizationReplicas(1, 50, [], samples({}), 'cpu', opts), /no pods returned by selector while calculating replica count/);
  const noReq: Pod = { ...pod('a'), spec: { containers: [{ name: 'c', image: 'i' }] } };
  assert.throws(() => resourceUtilizationReplicas(1, 50, [noReq], samples({ a: 1 }), 'cpu', opts), /missing request for cpu in container c of Pod a/);
  const pending = pod('a', '500m', { phase: 'Pending' });
  assert.throws(() => resourceUtilizationReplicas(1, 50, [pending], samples({ a: 1 }), 'cpu', opts), /did not receive metrics for targeted pods \(pods might be unready\)/);
});

test('averageValue targets divide the mean by the target', () => {
  const r = resourceAverageValueReplicas(2, 100, [pod('a'), pod('b')], samples({ a: 300, b: 300 }), 'memory', opts);
  assert.deepEqual(r, { replicas: 6, average: 300 });
});
