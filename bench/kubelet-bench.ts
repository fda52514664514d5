// SPDX-License-Identifier: Apache-2.0
/**
 * Pod start through Skiff beside raw CRI on the same containerd in the same
 * run: a `skiff server` with its node agent, N pods created one after the
 * other through the API, each timed from create to the Ready condition seen
 * by a watch; then N raw sandbox + create + start sequences straight against
 * the node's containerd. Also the time for a 100-replica Deployment to be all
 * Ready, and the server process's RSS. Needs root, containerd, runc, CNI.
 *
 * Run: node dist/bench/kubelet-bench.js [N]
 */
import { pathToFileURL } from 'node:url';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../src/api/object.js';
import { R } from '../src/client/client.js';
import { HttpClient, loadKubeconfig } from '../src/client/http-client.js';
import { CriClient } from '../src/kubelet/cri/index.js';
import { removeCgroup } from '../src/kubelet/pod-cgroups.js';
import { BUSYBOX_IMAGE } from '../src/images/index.js';
import { startAgentServer } from '../test/e2e/fixtures/agent-server.js';
import { summarize, type LatencySummary } from './cri-bench.js';

/** KubeletBenchResult are the figures of one run. */
export interface KubeletBenchResult {
  n: number;
  skiffPodStart: LatencySummary;
  rawCriPodStart: LatencySummary;
  /** ratio is skiff p50 / raw p50. */
  ratioP50: number;
  ratioP99: number;
  deployment100ReadyMs: number;
  serverRssMiB: number;
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const NS = 'bench';

function isReady(p: Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** runKubeletBench runs the benchmark and prints its figures. */
export async function runKubeletBench(opts: { n?: number } = {}): Promise<KubeletBenchResult> {
  const n = opts.n ?? 50;
  const server = await startAgentServer();
  const client = new HttpClient(loadKubeconfig(join(server.dataDir, 'kubeconfig.yaml')));
  const abort = new AbortController();
  try {
    await client.create(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    const readyWaiters = new Map<string, () => void>();
    void (async () => {
      for await (const ev of client.watch<KubeObject & Pod>(R.pods, { namespace: NS, signal: abort.signal })) {
        if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') continue;
        if (isReady(ev.object)) readyWaiters.get(ev.object.metadata.name ?? '')?.();
      }
    })().catch(() => undefined);
    const skiff: number[] = [];
    for (let i = 0; i < n; i++) {
      const name = `p${i}`;
      const ready = new Promise<void>((res) => readyWaiters.set(name, res));
      const t = process.hrtime.bigint();
      await client.create(R.pods, podObject(name), { namespace: NS });
      await ready;
      skiff.push(ms(t));
    }
    await client.deleteCollection(R.pods, { namespace: NS, gracePeriodSeconds: 0 });
    const raw = await rawCri(join(server.dataDir, 'containerd', 'containerd.sock'), server.dataDir, n);
    await waitPodsGone(client);
    const deployMs = await deployment100(client);
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid()}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    const result: KubeletBenchResult = {
      n, skiffPodStart: summarize(skiff), rawCriPodStart: summarize(raw),
      ratioP50: 0, ratioP99: 0, deployment100ReadyMs: Math.round(deployMs), serverRssMiB: Math.round(rss),
    };
    result.ratioP50 = Math.round((result.skiffPodStart.p50 / result.rawCriPodStart.p50) * 100) / 100;
    result.ratioP99 = Math.round((result.skiffPodStart.p99 / result.rawCriPodStart.p99) * 100) / 100;
    return result;
  } finally {
    abort.abort();
    client.close();
    await server.stop();
  }
}

function podObject(name: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, labels: { bench: 'pods' } },
    spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] },
  };
}

async function rawCri(socket: string, dataDir: string, n: number): Promise<number[]> {
  const cri = await CriClient.connect(socket);
  const out: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const uid = randomBytes(8).toString('hex');
      const logDir = join(dataDir, 'raw-logs', uid);
      mkdirSync(join(logDir, 'c'), { recursive: true });
      const config = {
        metadata: { name: `raw${i}`, uid, namespace: 'raw', attempt: 0 }, hostname: `raw${i}`, log_directory: logDir,
        linux: { cgroup_parent: `/skiff-bench-raw/pod${uid}` },
      };
      const t = process.hrtime.bigint();
      const { pod_sandbox_id } = await cri.runPodSandbox({ config });
      const { container_id } = await cri.createContainer({
        pod_sandbox_id, sandbox_config: config,
        config: { metadata: { name: 'c', attempt: 0 }, image: { image: BUSYBOX_IMAGE }, command: ['sleep', '3600'], log_path: 'c/0.log' },
      });
      await cri.startContainer({ container_id });
      out.push(ms(t));
      await cri.stopContainer({ container_id, timeout: 0 });
      await cri.removeContainer({ container_id });
      await cri.stopPodSandbox({ pod_sandbox_id });
      await cri.removePodSandbox({ pod_sandbox_id });
      removeCgroup(`/skiff-bench-raw/pod${uid}`);
    }
  } finally {
    removeCgroup('/skiff-bench-raw');
    cri.close();
  }
  return out;
}

async function waitPodsGone(client: HttpClient): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await client.list(R.pods, { namespace: NS })).items.length === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function deployment100(client: HttpClient): Promise<number> {
  const t = process.hrtime.bigint();
  await client.create(R.deployments, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd100', namespace: NS },
    spec: {
      replicas: 100, selector: { matchLabels: { app: 'd100' } },
      template: { metadata: { labels: { app: 'd100' } }, spec: (podObject('x').spec as object) },
    },
  }, { namespace: NS });
  for (;;) {
    const pods = (await client.list<KubeObject & Pod>(R.pods, { namespace: NS, labelSelector: 'app=d100' })).items;
    if (pods.filter(isReady).length >= 100) return ms(t);
    if (ms(t) > 300_000) return NaN;
    await new Promise((r) => setTimeout(r, 200));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const n = Number(process.argv[2] ?? 50);
  runKubeletBench({ n }).then((r) => console.log(JSON.stringify(r, null, 2)), (err) => {
    console.error(err);
    process.exit(1);
  });
}
