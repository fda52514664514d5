// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { EvictionManager, evictionGracePeriodSeconds } from './eviction-manager.js';
import type { PodUsage, SignalSource } from './signal-source.js';
import { parseGracePeriods, parseSoftThresholds, parseThresholds, ThresholdParseError, type Observations } from './thresholds.js';

const Mi = 1024 * 1024;
const Gi = 1024 * Mi;

class FakeSource implements SignalSource {
  memoryAvailable = 8 * Gi;
  async observe(): Promise<Observations> {
    return new Map([['memory.available', { available: this.memoryAvailable, capacity: 16 * Gi }]]);
  }
  async podUsage(): Promise<Map<string, PodUsage>> {
    return new Map([['uid-a', { memoryBytes: Gi, diskBytes: 0, processes: 1, containers: new Map([['c', { memoryBytes: Gi, diskBytes: 0 }]]) }]]);
  }
}

function pod(name: string, terminationGracePeriodSeconds?: number): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { terminationGracePeriodSeconds, containers: [{ name: 'c', image: 'i' }] },
    status: { phase: 'Running' },
  };
}

/** setup: hard memory.available<100Mi and soft memory.available<1Gi for 90 s; pods may stop for up to maxGrace seconds. */
function setup(pods: Pod[], maxGrace = 0) {
  const source = new FakeSource();
  const now = { t: 1_000_000 };
  const evicted: { name: string; grace: number; message: string }[] = [];
  const logs: string[] = [];
  const m = new EvictionManager({
    thresholds: [...parseThresholds('memory.available<100Mi'), ...parseSoftThresholds('memory.available<1Gi', 'memory.available=1m30s')],
    source, activePods: () => pods.filter((p) => !evicted.some((e) => e.name === p.metadata!.name)),
    evictPod: async (p, message, grace) => void evicted.push({ name: p.metadata!.name!, grace, message }),
    conditionsChanged: () => undefined, pressureTransitionMs: 60_000, maxPodGracePeriodSeconds: maxGrace, log: (l) => void logs.push(l), now: () => now.t,
    reclaimer: { deleteUnusedContainers: async () => undefined, deleteUnusedImages: async () => undefined },
  });
  return { m, source, now, evicted, logs };
}

test('soft thresholds: parsed with their grace periods, refused without one or with a bad one (upstream messages)', () => {
  assert.deepEqual(parseSoftThresholds('memory.available<1.5Gi,nodefs.available<15%', 'memory.available=1m30s,nodefs.available=2m'), [
    { signal: 'memory.available', quantity: 1.5 * Gi, gracePeriodMs: 90_000 }, { signal: 'nodefs.available', percentage: 0.15, gracePeriodMs: 120_000 },
  ]);
  assert.deepEqual(parseSoftThresholds('', ''), []);
  assert.throws(() => parseSoftThresholds('memory.available<1Gi', ''), /^Error: grace period must be specified for the soft eviction threshold memory.available$/);
  assert.throws(() => parseSoftThresholds('memory.available<1Gi', 'nodefs.available=1m'), /grace period must be specified for the soft eviction threshold memory.available/);
  assert.throws(() => parseGracePeriods('memory.free=1m'), (e: Error) => e instanceof ThresholdParseError && e.message === 'unsupported eviction signal memory.free');
  assert.throws(() => parseGracePeriods('memory.available=-1m'), /invalid eviction grace period specified: -1m, must be a positive value/);
  assert.throws(() => parseGracePeriods('memory.available=soon'), /invalid duration "soon"/);
});

test('a soft threshold sets the condition at once but evicts only after its grace period, with the pod\'s grace period capped', async () => {
  const { m, source, now, evicted, logs } = setup([pod('a', 30)], 10);
  source.memoryAvailable = 512 * Mi;
  assert.equal(await m.synchronize(), undefined);
  assert.deepEqual([...m.conditions()], ['MemoryPressure']);
  assert.ok(logs.some((l) => /not yet met for their grace period/.test(l)), logs.join('\n'));
  now.t += 60_000;
  assert.equal(await m.synchronize(), undefined, 'no eviction before the grace period ends');
  now.t += 30_000;
  assert.equal((await m.synchronize())?.metadata?.name, 'a');
  // min(--eviction-max-pod-grace-period 10, the pod's 30).
  assert.equal(evicted[0]!.grace, 10);
  assert.match(evicted[0]!.message, /^The node was low on resource: memory\. Threshold quantity: 1Gi, available: 512Mi\. /);
});

test('a soft threshold that stops being met restarts its grace period', async () => {
  const { m, source, now, evicted } = setup([pod('a')]);
  source.memoryAvailable = 512 * Mi;
  await m.synchronize();
  now.t += 80_000;
  source.memoryAvailable = 4 * Gi;
  await m.synchronize();
  now.t += 20_000;
  source.memoryAvailable = 512 * Mi;
  assert.equal(await m.synchronize(), undefined, 'the grace period counts from the threshold\'s new first observation');
  now.t += 89_000;
  assert.equal(await m.synchronize(), undefined);
  now.t += 1_000;
  assert.equal((await m.synchronize())?.metadata?.name, 'a');
  assert.equal(evicted[0]!.grace, 0, 'default --eviction-max-pod-grace-period is 0');
});

test('a hard threshold evicts at once with no grace period, even when a soft one on the same signal is pending', async () => {
  const { m, source, evicted } = setup([pod('a', 30)], 60);
  source.memoryAvailable = 50 * Mi;
  assert.equal((await m.synchronize())?.metadata?.name, 'a');
  assert.equal(evicted[0]!.grace, 0);
  assert.match(evicted[0]!.message, /Threshold quantity: 100Mi, available: 50Mi/);
});

test('evictionGracePeriodSeconds: hard 0; soft min(max, pod) or max when the pod has none', () => {
  const [hard] = parseThresholds('memory.available<100Mi');
  const [soft] = parseSoftThresholds('memory.available<1Gi', 'memory.available=1m');
  assert.equal(evictionGracePeriodSeconds(hard!, pod('a', 30), 60), 0);
  assert.equal(evictionGracePeriodSeconds(soft!, pod('a', 30), 60), 30);
  assert.equal(evictionGracePeriodSeconds(soft!, pod('a', 30), 5), 5);
  assert.equal(evictionGracePeriodSeconds(soft!, pod('a'), 5), 5);
});
