// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { desiredPodStatus, terminatedStatus } from './pod-status.js';
import { parseDurationMs } from '../machinery/duration.js';
import { PodIPPool, podCIDRFor } from './addresses.js';
import { metricsFor } from './metrics.js';

const addr = { hostIP: '10.64.0.1', podIP: '10.128.0.5' };
const t0 = Date.parse('2026-01-01T00:00:00Z');

function pod(extra: Partial<Pod['spec']> = {}, annotations?: Record<string, string>): Pod {
  return { metadata: { name: 'p', namespace: 'd', uid: 'u', annotations }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...extra }, status: { phase: 'Pending' } };
}

test('a pod without probes is Running and Ready at once, with addresses and conditions', () => {
  const { status, nextChangeAt } = desiredPodStatus(pod(), addr, t0);
  assert.equal(status.phase, 'Running');
  assert.equal(status.podIP, '10.128.0.5');
  assert.equal(status.hostIP, '10.64.0.1');
  assert.deepEqual(status.conditions?.map((c) => `${c.type}=${c.status}`), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
  assert.ok(status.containerStatuses?.[0].state?.running);
  assert.equal(nextChangeAt, undefined);
});

test('a readiness probe delays Ready by initialDelaySeconds', () => {
  const p = pod({ containers: [{ name: 'c', readinessProbe: { initialDelaySeconds: 5, exec: { command: ['true'] } } }] });
  const first = desiredPodStatus(p, addr, t0);
  assert.equal(first.status.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  assert.equal(first.nextChangeAt, t0 + 5000);
  const later = desiredPodStatus({ ...p, status: first.status }, addr, t0 + 5000);
  assert.equal(later.status.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  assert.equal(later.status.containerStatuses?.[0].ready, true);
});

test('exit-after completes pods that do not restart, not those that do', () => {
  const job = pod({ restartPolicy: 'Never' }, { 'skiff.dev/simulated-exit-after': '2s' });
  const running = desiredPodStatus(job, addr, t0);
  assert.equal(running.nextChangeAt, t0 + 2000);
  const done = desiredPodStatus({ ...job, status: running.status }, addr, t0 + 2000);
  assert.equal(done.status.phase, 'Succeeded');
  assert.equal(done.status.containerStatuses?.[0].state?.terminated?.reason, 'Completed');
  const failing = pod({ restartPolicy: 'OnFailure' }, { 'skiff.dev/simulated-exit-after': '1s', 'skiff.dev/simulated-exit-code': '3' });
  assert.equal(desiredPodStatus({ ...failing, status: { startTime: '2026-01-01T00:00:00Z' } }, addr, t0 + 1000).status.phase, 'Failed');
  const always = pod({}, { 'skiff.dev/simulated-exit-after': '1s' });
  assert.equal(desiredPodStatus(always, addr, t0 + 5000).status.phase, 'Running');
});

test('terminatedStatus stops every container', () => {
  const running = desiredPodStatus(pod(), addr, t0).status;
  const st = terminatedStatus({ ...pod(), status: running }, t0 + 1000);
  assert.ok(st.containerStatuses?.every((c) => c.state?.terminated && !c.ready));
  assert.equal(st.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
});

test('durations, pod IP pools and simulated metrics', () => {
  assert.equal(parseDurationMs('1m30s'), 90_000);
  assert.equal(parseDurationMs('250ms'), 250);
  assert.equal(parseDurationMs('5x'), undefined);
  const pool = new PodIPPool(podCIDRFor(3));
  assert.equal(pool.allocate('a'), '10.128.3.1');
  assert.equal(pool.allocate('b'), '10.128.3.2');
  assert.equal(pool.allocate('a'), '10.128.3.1');
  pool.release('a');
  assert.equal(pool.allocate('c'), '10.128.3.1');
  const m = metricsFor({ ...pod({}, { 'skiff.dev/simulated-cpu': '250m', 'skiff.dev/simulated-memory': '64Mi' }), status: { phase: 'Running' } });
  assert.deepEqual(m?.containers, [{ name: 'c', usage: { cpu: '250m', memory: '65536Ki' } }]);
  assert.equal(metricsFor(pod({}, { 'skiff.dev/simulated-cpu': '1' })), undefined);
});

test('a Job-owned pod completes by default after KWOK\'s pod-complete delay; annotations still override', () => {
  const owned = (annotations?: Record<string, string>): Pod => {
    const p = pod({ restartPolicy: 'Never' }, annotations);
    return {
      ...p,
      metadata: { ...p.metadata, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'ju', controller: true }] },
      status: { phase: 'Running', startTime: new Date(t0).toISOString() },
    };
  };
  assert.equal(desiredPodStatus(owned(), addr, t0 + 10).status.phase, 'Running');
  assert.equal(desiredPodStatus(owned(), addr, t0 + 1500).status.phase, 'Succeeded');
  assert.equal(desiredPodStatus(owned({ 'skiff.dev/simulated-exit-after': '1h' }), addr, t0 + 1500).status.phase, 'Running');
  assert.equal(desiredPodStatus(owned({ 'skiff.dev/simulated-exit-after': '1s', 'skiff.dev/simulated-exit-code': '2' }), addr, t0 + 1500).status.phase, 'Failed');
  const bare: Pod = { ...pod({ restartPolicy: 'Never' }), status: { phase: 'Running', startTime: new Date(t0).toISOString() } };
  assert.equal(desiredPodStatus(bare, addr, t0 + 5000).status.phase, 'Running');
});
