// SPDX-License-Identifier: Apache-2.0
/**
 * A 1000-replica Deployment rolled out end to end on a real `skiff server
 * --simulated-nodes 20` (API server, scheduler, controllers and simulated
 * nodes in one process, reached over HTTPS as kubectl reaches it):
 * - time from the Deployment's create to 1000 Ready replicas;
 * - a `kubectl set image`-equivalent template change (strategic merge
 *   patch of the container image), timed until the rollout is complete as
 *   `kubectl rollout status` judges it: the new generation observed, all
 *   replicas updated and available, no old pods left (old ReplicaSets at 0),
 *   with maxSurge 25% / maxUnavailable 25%;
 * - baseline in the same run: the same number of bare Pods created through
 *   the same API (create calls/s, and time until the same scheduler and
 *   simulated nodes report them all Ready), so the rollout reads as a ratio
 *   to the cost of creating and starting that many pods without controllers.
 *
 * Run: node dist/bench/rollout-bench.js [replicas]
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../src/api/object.js';
import { R, type Client } from '../src/client/client.js';
import { HttpClient, loadKubeconfig } from '../src/client/http-client.js';
import { startServer } from '../test/harness/server-harness.js';

const NS = 'rollout';
const BASE_NS = 'bare';

function isReady(p: Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`rollout-bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function template(image: string): Pod['spec'] {
  return { terminationGracePeriodSeconds: 0, containers: [{ name: 'web', image, resources: { requests: { cpu: '10m', memory: '16Mi' } } }] };
}

/** readyPods counts Ready pods in a namespace with one LIST (the figure a watcher of pods would reach). */
async function readyPods(client: Client, namespace: string): Promise<number> {
  return (await client.list<KubeObject & Pod>(R.pods, { namespace })).items.filter(isReady).length;
}

/** bareBaseline creates n Pods (32 in flight) and waits until they are all Ready. */
async function bareBaseline(client: Client, n: number): Promise<{ createPerS: number; readyMs: number }> {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    for (let i = next++; i < n; i = next++) {
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: `bare-${i}`, labels: { app: 'bare' } }, spec: template('busybox:1.36') };
      await client.create(R.pods, pod as KubeObject, { namespace: BASE_NS });
    }
  }));
  const createMs = performance.now() - t0;
  await until('bare pods Ready', async () => ((await readyPods(client, BASE_NS)) >= n ? true : undefined), 600_000);
  return { createPerS: (n / createMs) * 1000, readyMs: performance.now() - t0 };
}

/** rolloutComplete is `kubectl rollout status`'s test, plus every older ReplicaSet scaled to 0. */
async function rolloutComplete(client: Client, name: string, replicas: number): Promise<boolean | undefined> {
  const d = await client.get<KubeObject & Deployment>(R.deployments, name, { namespace: NS });
  const st = d.status ?? {};
  if ((st.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) return undefined;
  if ((st.updatedReplicas ?? 0) < replicas || (st.replicas ?? 0) > replicas || (st.availableReplicas ?? 0) < replicas) return undefined;
  const sets = (await client.list<KubeObject & ReplicaSet>(R.replicasets, { namespace: NS })).items;
  const revision = (rs: ReplicaSet) => Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
  const newest = Math.max(...sets.map(revision));
  const oldDrained = sets.filter((rs) => revision(rs) < newest).every((rs) => (rs.spec?.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0);
  return oldDrained ? true : undefined;
}

/** runRolloutBench runs the benchmark and returns its figures. */
export async function runRolloutBench(opts: { replicas?: number; nodes?: number } = {}): Promise<Record<string, number>> {
  const replicas = opts.replicas ?? 1000;
  const out: Record<string, number> = { replicas, load_avg_1m: loadavg()[0] };
  const server = await startServer({ args: ['--simulated-nodes', String(opts.nodes ?? 20), '--disable-ingress'] });
  const client = new HttpClient(loadKubeconfig(join(server.dataDir, 'kubeconfig.yaml')));
  try {
    for (const name of [NS, BASE_NS]) await client.create(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    await until('simulated nodes', async () => ((await client.list(R.nodes)).items.length >= (opts.nodes ?? 20) ? true : undefined), 60_000);

    const bare = await bareBaseline(client, replicas);
    out['baseline.bare_pod_create_per_s'] = bare.createPerS;
    out['baseline.bare_pods_all_ready_ms'] = bare.readyMs;
    out['baseline.bare_pods_ready_per_s'] = (replicas / bare.readyMs) * 1000;
    // Make room again: the rollout's surge must fit the nodes' pod capacity.
    await client.deleteCollection(R.pods, { namespace: BASE_NS, gracePeriodSeconds: 0 });
    await until('bare pods gone', async () => ((await client.list(R.pods, { namespace: BASE_NS })).items.length === 0 ? true : undefined), 300_000);

    const t0 = performance.now();
    await client.create(R.deployments, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: {
        replicas, selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        template: { metadata: { labels: { app: 'web' } }, spec: template('busybox:1.36') },
      },
    } as KubeObject, { namespace: NS });
    await until('deployment Ready', async () => {
      const d = await client.get<KubeObject & Deployment>(R.deployments, 'web', { namespace: NS });
      return (d.status?.readyReplicas ?? 0) >= replicas ? true : undefined;
    }, 600_000);
    const readyMs = performance.now() - t0;
    out['deploy_all_ready_ms'] = readyMs;
    out['deploy_ready_pods_per_s'] = (replicas / readyMs) * 1000;
    out['deploy_ready_vs_bare_pods'] = readyMs / bare.readyMs;

    const t1 = performance.now();
    // What `kubectl set image deployment/web web=busybox:1.37` sends.
    await client.patch(R.deployments, 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'web', image: 'busybox:1.37' }] } } } }, { namespace: NS });
    await until('rollout complete', () => rolloutComplete(client, 'web', replicas), 900_000);
    const rolloutMs = performance.now() - t1;
    out['rollout_complete_ms'] = rolloutMs;
    out['rollout_pods_per_s'] = (replicas / rolloutMs) * 1000;
    out['rollout_vs_bare_pods'] = rolloutMs / bare.readyMs;
    const pid = server.process.pid;
    if (pid) out['server_rss_mb'] = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    out['load_avg_1m_end'] = loadavg()[0];
    return out;
  } finally {
    client.close();
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runRolloutBench({ replicas: Number(process.argv[2] ?? 1000) }).then(
    (figures) => {
      for (const [k, v] of Object.entries(figures)) console.log(`rollout.${k.padEnd(36)} ${Number.isInteger(v) ? v : v.toFixed(2)}`);
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
