// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { EvictionManager } from './eviction-manager.js';
import type { PodUsage, SignalSource } from './signal-source.js';
import { DEFAULT_EVICTION_HARD, parseThresholds, ThresholdParseError, type Observations, type Signal } from './thresholds.js';

const Mi = 1024 * 1024;
const Gi = 1024 * Mi;

/** FakeSource reports whatever the test sets. */
class FakeSource implements SignalSource {
  observations: Observations = new Map();
  usage = new Map<string, PodUsage>();
  set(signal: Signal, available: number, capacity: number): void {
    this.observations.set(signal, { available, capacity });
  }
  async observe(): Promise<Observations> {
    return new Map(this.observations);
  }
  async podUsage(): Promise<Map<string, PodUsage>> {
    return this.usage;
  }
}

function pod(name: string, opts: { memRequest?: string; priority?: number; disk?: string } = {}): Pod {
  const requests: Record<string, string> = {};
  if (opts.memRequest) requests.memory = opts.memRequest;
  if (opts.disk) requests['ephemeral-storage'] = opts.disk;
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { priority: opts.priority, containers: [{ name: 'c', image: 'i', resources: Object.keys(requests).length ? { requests } : undefined }] },
    status: { phase: 'Running' },
  };
}

function usage(memoryBytes: number, diskBytes = 0, processes = 0): PodUsage {
  return { memoryBytes, diskBytes, processes, containers: new Map([['c', { memoryBytes, diskBytes }]]) };
}

function setup(pods: Pod[], spec = DEFAULT_EVICTION_HARD, now = { t: 1_000_000 }) {
  const source = new FakeSource();
  const evicted: { name: string; message: string }[] = [];
  const reclaimed: string[] = [];
  let conditionChanges = 0;
  const m = new EvictionManager({
    thresholds: parseThresholds(spec), source, activePods: () => pods.filter((p) => !evicted.some((e) => e.name === p.metadata!.name)),
    evictPod: async (p, message) => void evicted.push({ name: p.metadata!.name!, message }),
    conditionsChanged: () => void conditionChanges++, pressureTransitionMs: 60_000, log: () => undefined, now: () => now.t,
    reclaimer: { deleteUnusedContainers: async () => void reclaimed.push('containers'), deleteUnusedImages: async () => void reclaimed.push('images') },
  });
  // A healthy node: plenty of everything.
  source.set('memory.available', 8 * Gi, 16 * Gi);
  source.set('nodefs.available', 50 * Gi, 100 * Gi);
  source.set('nodefs.inodesFree', 900_000, 1_000_000);
  source.set('imagefs.available', 50 * Gi, 100 * Gi);
  source.set('pid.available', 30_000, 32_768);
  return { m, source, evicted, reclaimed, changes: () => conditionChanges, now };
}

test('thresholds: upstream defaults, percentages, quantities and refusals', () => {
  assert.deepEqual(parseThresholds(DEFAULT_EVICTION_HARD), [
    { signal: 'memory.available', quantity: 100 * Mi }, { signal: 'nodefs.available', percentage: 0.1 },
    { signal: 'imagefs.available', percentage: 0.15 }, { signal: 'nodefs.inodesFree', percentage: 0.05 },
  ]);
  assert.deepEqual(parseThresholds('pid.available<1000'), [{ signal: 'pid.available', quantity: 1000 }]);
  assert.deepEqual(parseThresholds(''), []);
  assert.throws(() => parseThresholds('memory.free<1Gi'), (e: Error) => e instanceof ThresholdParseError && /unsupported eviction signal memory.free/.test(e.message));
  assert.throws(() => parseThresholds('memory.available>1Gi'), ThresholdParseError);
  assert.throws(() => parseThresholds('nodefs.available<110%'), ThresholdParseError);
  assert.throws(() => parseThresholds('memory.available<1Gi,memory.available<2Gi'), /duplicate/);
});

test('no pressure: no conditions, no eviction', async () => {
  const { m, evicted } = setup([pod('a')]);
  assert.equal(await m.synchronize(), undefined);
  assert.deepEqual([...m.conditions()], []);
  assert.deepEqual(evicted, []);
});

test('memory pressure: MemoryPressure, and the pod over its request is evicted first with upstream\'s message', async () => {
  const pods = [pod('guaranteed', { memRequest: '1Gi', priority: 0 }), pod('besteffort'), pod('within', { memRequest: '512Mi' })];
  const { m, source, evicted, reclaimed, changes } = setup(pods);
  source.set('memory.available', 50 * Mi, 16 * Gi);
  source.usage = new Map([['uid-guaranteed', usage(900 * Mi)], ['uid-besteffort', usage(10 * Mi)], ['uid-within', usage(100 * Mi)]]);
  const victim = await m.synchronize();
  assert.equal(victim?.metadata?.name, 'besteffort');
  assert.deepEqual([...m.conditions()], ['MemoryPressure']);
  assert.equal(changes(), 1);
  assert.deepEqual(reclaimed, [], 'memory pressure reclaims nothing at node level');
  assert.equal(evicted[0].message,
    'The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi. Container c was using 10Mi, request is 0, has larger consumption of memory. ');
});

test('memory ranking: usage over requests, then priority, then usage above request', async () => {
  const pods = [pod('low-prio', { memRequest: '100Mi', priority: -10 }), pod('big', { memRequest: '100Mi', priority: 100 }), pod('small', { memRequest: '100Mi', priority: 100 })];
  const { m, source, evicted } = setup(pods);
  source.set('memory.available', 50 * Mi, 16 * Gi);
  source.usage = new Map([['uid-low-prio', usage(150 * Mi)], ['uid-big', usage(900 * Mi)], ['uid-small', usage(200 * Mi)]]);
  await m.synchronize();
  await m.synchronize();
  await m.synchronize();
  assert.deepEqual(evicted.map((e) => e.name), ['low-prio', 'big', 'small']);
});

test('disk pressure: node-level reclaim first; no eviction when it relieves the pressure', async () => {
  const { m, source, evicted, reclaimed } = setup([pod('a')]);
  source.set('nodefs.available', 5 * Gi, 100 * Gi);
  const observe = source.observe.bind(source);
  let calls = 0;
  source.observe = async () => {
    // The second observation (after reclaim) finds space again.
    if (++calls === 2) source.set('nodefs.available', 20 * Gi, 100 * Gi);
    return observe();
  };
  assert.equal(await m.synchronize(), undefined);
  assert.deepEqual(reclaimed, ['containers', 'images']);
  assert.deepEqual(evicted, []);
  assert.deepEqual([...m.conditions()], ['DiskPressure'], 'the condition holds for the transition period');
});

test('disk pressure that reclaim cannot relieve evicts the largest user of ephemeral storage beyond its request', async () => {
  const pods = [pod('writer', { disk: '1Gi' }), pod('quiet')];
  const { m, source, evicted } = setup(pods);
  source.set('nodefs.available', 5 * Gi, 100 * Gi);
  source.usage = new Map([['uid-writer', usage(0, 3 * Gi)], ['uid-quiet', usage(0, 10 * Mi)]]);
  const victim = await m.synchronize();
  assert.equal(victim?.metadata?.name, 'writer');
  assert.equal(evicted[0].message,
    'The node was low on resource: ephemeral-storage. Threshold quantity: 10Gi, available: 5Gi. Container c was using 3Gi, request is 1Gi, has larger consumption of ephemeral-storage. ');
});

test('pid pressure ranks by priority then process count; critical pods are never evicted', async () => {
  const critical = pod('critical', { priority: 2_000_001_000 });
  const pods = [critical, pod('few', { priority: 0 }), pod('many', { priority: 0 })];
  const { m, source, evicted } = setup(pods, 'pid.available<1000');
  source.set('pid.available', 500, 32_768);
  source.usage = new Map([['uid-critical', usage(0, 0, 5000)], ['uid-few', usage(0, 0, 2)], ['uid-many', usage(0, 0, 300)]]);
  await m.synchronize();
  assert.deepEqual(evicted.map((e) => e.name), ['many']);
  assert.deepEqual([...m.conditions()], ['PIDPressure']);
  assert.match(evicted[0].message, /^The node was low on resource: pids\. Threshold quantity: 1k, available: 500\. $/);
});

test('conditions stay for the transition period, then clear; admission follows them', async () => {
  const { m, source, now, changes } = setup([]);
  source.set('memory.available', 50 * Mi, 16 * Gi);
  await m.synchronize();
  assert.deepEqual(m.admit(pod('be')), { reason: 'Evicted', message: 'The node had condition: [MemoryPressure]. ' });
  assert.equal(m.admit(pod('burstable', { memRequest: '1Mi' })), undefined, 'only BestEffort pods are refused under memory pressure');
  source.set('memory.available', 8 * Gi, 16 * Gi);
  now.t += 30_000;
  await m.synchronize();
  assert.deepEqual([...m.conditions()], ['MemoryPressure']);
  now.t += 31_000;
  await m.synchronize();
  assert.deepEqual([...m.conditions()], []);
  assert.equal(changes(), 2);
  assert.equal(m.admit(pod('be')), undefined);
  source.set('nodefs.inodesFree', 10, 1_000_000);
  await m.synchronize();
  assert.deepEqual(m.admit(pod('burstable', { memRequest: '1Mi' })), { reason: 'Evicted', message: 'The node had condition: [DiskPressure]. ' });
});

/** diskPressured is a node short of nodefs space (5Gi free of 100Gi, under the default 10% threshold) and fine otherwise. */
function diskPressured(): FakeSource {
  const source = new FakeSource();
  source.set('memory.available', 8 * Gi, 16 * Gi);
  source.set('nodefs.available', 5 * Gi, 100 * Gi);
  source.set('nodefs.inodesFree', 900_000, 1_000_000);
  source.set('imagefs.available', 50 * Gi, 100 * Gi);
  source.set('pid.available', 30_000, 32_768);
  return source;
}

test('after an eviction the manager waits for the pod to be cleaned up before it looks again (upstream waitForPodsCleanup)', async () => {
  const pods = [pod('writer', { disk: '1Gi' }), pod('quiet')];
  const source = diskPressured();
  source.usage = new Map([['uid-writer', usage(0, 3 * Gi)], ['uid-quiet', usage(0, 10 * Mi)]]);
  const evicted: string[] = [];
  const logs: string[] = [];
  let checks = 0;
  const m = new EvictionManager({
    thresholds: parseThresholds(DEFAULT_EVICTION_HARD), source, activePods: () => pods.filter((p) => !evicted.includes(p.metadata!.name!)),
    evictPod: async (p) => void evicted.push(p.metadata!.name!), conditionsChanged: () => undefined, log: (l) => void logs.push(l),
    reclaimer: { deleteUnusedContainers: async () => undefined, deleteUnusedImages: async () => undefined },
    // The writer's space comes back on the third look, as its volumes go.
    podCleanedUp: async () => {
      if (++checks < 3) return false;
      source.set('nodefs.available', 50 * Gi, 100 * Gi);
      return true;
    },
    cleanupPollMs: 5,
  });
  const first = m.synchronize();
  // A pass while the first one waits does nothing.
  assert.equal(await m.synchronize(), undefined);
  assert.equal((await first)?.metadata?.name, 'writer');
  assert.equal(checks, 3);
  assert.ok(logs.includes('eviction manager: pods default/writer successfully cleaned up'), logs.join('\n'));
  // The space is back: the quiet pod stays.
  assert.equal(await m.synchronize(), undefined);
  assert.deepEqual(evicted, ['writer']);
});

test('waiting for cleanup gives up after the timeout', async () => {
  const logs: string[] = [];
  const source = diskPressured();
  source.usage = new Map([['uid-writer', usage(0, 3 * Gi)]]);
  const m = new EvictionManager({
    thresholds: parseThresholds(DEFAULT_EVICTION_HARD), source, activePods: () => [pod('writer', { disk: '1Gi' })],
    evictPod: async () => undefined, conditionsChanged: () => undefined, log: (l) => void logs.push(l),
    reclaimer: { deleteUnusedContainers: async () => undefined, deleteUnusedImages: async () => undefined },
    podCleanedUp: async () => false, cleanupPollMs: 5, cleanupTimeoutMs: 30,
  });
  assert.ok(await m.synchronize());
  assert.ok(logs.includes('eviction manager: timed out waiting for pods default/writer to be cleaned up'), logs.join('\n'));
});
