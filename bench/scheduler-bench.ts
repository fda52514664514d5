// SPDX-License-Identifier: Apache-2.0
/**
 * Scheduler and simulated-node benchmark, in process through the real API
 * registry (admission, validation, sqlite storage, watch):
 * - time for 1000 and 5000 simulated nodes to be created and seen Ready;
 * - 10,000 pods scheduled onto 5000 nodes: pods/s from the first bind
 *   to the last, and the time until the simulator reports them all Running;
 * - baseline: a bare pod create through the same registry (pods/s), so the
 *   scheduler's figure reads as a ratio to the cost of one write;
 * - CPU milliseconds this process spent per scheduled pod in that window, a
 *   figure a loaded machine distorts less than pods/s, and the load average.
 * SKIFF_BENCH_CPU_PROFILE=FILE writes a CPU profile of the scheduling window
 * alone (first pod queued to last bind), for Chrome DevTools or speedscope.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../src/api/object.js';
import { APIRegistry } from '../src/apiserver/registry/api-registry.js';
import { registerDefaultAdmission } from '../src/apiserver/admission/index.js';
import { InProcessClient } from '../src/apiserver/in-process-client.js';
import { R, type Client } from '../src/client/client.js';
import { InformerFactory } from '../src/client/informer-factory.js';
import { SqliteStore, type Store } from '../src/storage/index.js';
import { NodeSimulator } from '../src/kwok/index.js';
import { Scheduler } from '../src/scheduler/index.js';

interface Cluster {
  client: Client;
  store: Store;
  close(): Promise<void>;
}

async function newCluster(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-sched-bench-'));
  const store = SqliteStore.open({ path: join(dir, 'state.db'), compactIntervalMs: 0 });
  const registry = new APIRegistry({ store, serviceCIDR: '10.43.0.0/16', nodePortRange: { min: 30000, max: 32767 } });
  registerDefaultAdmission(registry);
  const client = new InProcessClient(registry);
  for (const name of ['default', 'kube-node-lease', 'bench']) {
    await client.create(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  return {
    client,
    store,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function isReady(n: Node): boolean {
  return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** nodesReadyMs starts a simulator of `count` nodes and times until an independent informer sees them all Ready. */
async function nodesReadyMs(cluster: Cluster, count: number, signal: AbortSignal): Promise<{ ms: number; sim: NodeSimulator }> {
  const watcher = new InformerFactory(cluster.client);
  const nodes = watcher.informer<KubeObject & Node>(R.nodes);
  watcher.start(signal);
  await watcher.waitForSync(signal);
  const t0 = performance.now();
  const sim = new NodeSimulator(cluster.client, { count, cpu: '8', memory: '32Gi', pods: 110 });
  await sim.start(signal);
  while (nodes.list().filter(isReady).length < count) await new Promise((r) => setTimeout(r, 20));
  return { ms: performance.now() - t0, sim };
}

function benchPod(i: number): KubeObject {
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p-${i}`, namespace: 'bench', labels: { app: 'bench' } },
    spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
  };
  return pod as KubeObject;
}

async function createPods(client: Client, from: number, n: number): Promise<number> {
  const t0 = performance.now();
  let next = from;
  const end = from + n;
  const worker = async () => {
    for (let i = next++; i < end; i = next++) await client.create(R.pods, benchPod(i), { namespace: 'bench' });
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return (n / (performance.now() - t0)) * 1000;
}

/** startProfile starts the inspector's CPU profiler when SKIFF_BENCH_CPU_PROFILE names a file; stop writes it there. */
async function startProfile(): Promise<{ stop(): Promise<void> } | undefined> {
  const file = process.env['SKIFF_BENCH_CPU_PROFILE'];
  if (!file) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('benchmark timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** runSchedulerBench runs the benchmark and returns its figures. */
export async function runSchedulerBench(opts: { nodes?: number; pods?: number } = {}): Promise<Record<string, number>> {
  const nodeCount = opts.nodes ?? 5000;
  const podCount = opts.pods ?? 10_000;
  const out: Record<string, number> = {};

  const small = await newCluster();
  const abortSmall = new AbortController();
  const r1000 = await nodesReadyMs(small, 1000, abortSmall.signal);
  out['nodes_1000_ready_ms'] = r1000.ms;
  out['baseline_pod_create_per_s'] = await createPods(small.client, 0, 2000);
  abortSmall.abort();
  await r1000.sim.stop();
  await small.close();

  const big = await newCluster();
  const abort = new AbortController();
  const rBig = await nodesReadyMs(big, nodeCount, abort.signal);
  out[`nodes_${nodeCount}_ready_ms`] = rBig.ms;
  // Pods first, scheduler second: the figure is the scheduler's own rate, not the rate pods were created at.
  await createPods(big.client, 0, podCount);
  const sched = new Scheduler(big.client, {});
  const profiler = await startProfile();
  out['load_avg_1m'] = loadavg()[0];
  const t0 = performance.now();
  await sched.start(abort.signal);
  out['scheduler_synced_ms'] = performance.now() - t0;
  let firstBind = 0;
  let cpu0 = process.cpuUsage();
  await until(() => {
    if (!firstBind && sched.stats.scheduled > 0) {
      firstBind = performance.now();
      cpu0 = process.cpuUsage();
    }
    return sched.stats.scheduled + sched.stats.bindErrors >= podCount;
  }, 600_000);
  const lastBind = performance.now();
  const cpu = process.cpuUsage(cpu0);
  await profiler?.stop();
  out['load_avg_1m_end'] = loadavg()[0];
  // The same window as schedule_pods_per_s: first bind to last.
  out['schedule_cpu_ms_per_pod'] = (cpu.user + cpu.system) / 1000 / (sched.stats.scheduled - 1);
  out['pods_scheduled'] = sched.stats.scheduled;
  // As the file comment says: first bind to last (the informers' initial list is scheduler_synced_ms).
  out['schedule_pods_per_s'] = ((sched.stats.scheduled - 1) / (lastBind - firstBind)) * 1000;
  out['schedule_pods_per_s_incl_sync'] = (sched.stats.scheduled / (lastBind - t0)) * 1000;
  out['schedule_vs_bare_create_ratio'] = out['schedule_pods_per_s'] / out['baseline_pod_create_per_s'];
  // The observer of Running pods starts after the last bind, so its watch is no work inside the scheduling window.
  const running = new InformerFactory(big.client);
  const pods = running.informer<KubeObject & Pod>(R.pods, { namespace: 'bench' });
  running.start(abort.signal);
  await running.waitForSync(abort.signal);
  await until(() => pods.list().filter((p) => p.status?.phase === 'Running').length >= podCount, 600_000);
  out['all_running_ms'] = performance.now() - t0;
  abort.abort();
  await sched.stop();
  await rBig.sim.stop();
  await big.close();
  return out;
}

// Run directly: node dist/bench/scheduler-bench.js [nodes] [pods]
if (import.meta.url === `file://${process.argv[1]}`) {
  const [nodes, pods] = process.argv.slice(2).map(Number);
  runSchedulerBench({ nodes: nodes || undefined, pods: pods || undefined }).then(
    (figures) => {
      for (const [k, v] of Object.entries(figures)) console.log(`scheduler.${k.padEnd(36)} ${Number.isInteger(v) ? v : v.toFixed(2)}`);
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
