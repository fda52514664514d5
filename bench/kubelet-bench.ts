// SPDX-License-Identifier: Apache-2.0
/**
 * Pod start through Skiff beside raw CRI on the same containerd in the same
 * run: a `skiff server` with its node agent; N pods created one after the
 * other through the API, each timed from create to the Ready condition seen
 * by a watch, alternating with N raw sandbox + create + start sequences
 * straight against the node's containerd (same image, same CNI network). Also the time for a 100-replica Deployment to be all
 * Ready, and the server process's RSS. Needs root, containerd, runc, CNI.
 *
 * Run: node dist/bench/kubelet-bench.js [N] [--pods-only]
 */
import { pathToFileURL } from 'node:url';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../src/api/object.js';
import { R } from '../src/client/client.js';
import { HttpClient, loadKubeconfig } from '../src/client/http-client.js';
import { CriClient } from '../src/kubelet/cri/index.js';
import { POD_UID_LABEL } from '../src/kubelet/index.js';
import { removeCgroup } from '../src/kubelet/pod-cgroups.js';
import { BUSYBOX_IMAGE } from '../src/images/index.js';
import { startAgentServer } from '../test/e2e/fixtures/agent-server.js';
import { summarize, type LatencySummary } from './cri-bench.js';

/** KubeletBenchResult are the figures of one run. */
export interface KubeletBenchResult {
  n: number;
  skiffPodStart: LatencySummary;
  rawCriPodStart: LatencySummary;
  /** Where a Skiff pod start's time goes, from the create request, as the bench's watch saw it. */
  skiffStages: { created: LatencySummary; bound: LatencySummary; firstStatus: LatencySummary };
  /** ratio is skiff p50 / raw p50. */
  ratioP50: number;
  ratioP90: number;
  ratioP99: number;
  deployment100ReadyMs: number;
  serverRssMiB: number;
  /** loadAverage1m is the machine's 1-minute load average when the pod starts ended. */
  loadAverage1m: number;
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const NS = 'bench';

function isReady(p: Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** PodWaiter sees every watch event of one bench pod. */
type PodWaiter = (type: string, pod: Pod) => void;

interface SkiffSample {
  total: number;
  created: number;
  bound: number;
  firstStatus: number;
}

/**
 * runKubeletBench runs the benchmark and prints its figures. Raw CRI and
 * Skiff starts alternate (which one goes first flips every round), after
 * one warm-up of each, so load from other work on the machine falls on both
 * alike; each pod is removed before the next round, as the raw sequence is.
 */
export async function runKubeletBench(opts: { n?: number; deployment?: boolean } = {}): Promise<KubeletBenchResult> {
  const n = opts.n ?? 50;
  const server = await startAgentServer();
  const client = new HttpClient(loadKubeconfig(join(server.dataDir, 'kubeconfig.yaml')));
  const cri = await CriClient.connect(join(server.dataDir, 'containerd', 'containerd.sock'));
  const abort = new AbortController();
  try {
    await client.create(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await waitForServiceAccount(client);
    const waiters = new Map<string, PodWaiter>();
    void (async () => {
      for await (const ev of client.watch<KubeObject & Pod>(R.pods, { namespace: NS, signal: abort.signal })) {
        waiters.get(ev.object.metadata?.name ?? '')?.(ev.type, ev.object);
      }
    })().catch(() => undefined);
    const skiff: SkiffSample[] = [];
    const raw: number[] = [];
    for (let i = -1; i < n; i++) {
      const skiffFirst = i % 2 === 0;
      if (skiffFirst) skiff.push(await skiffStart(client, cri, server.dataDir, waiters, `p${i + 1}`));
      raw.push(await rawCriStart(cri, server.dataDir, i + 1));
      if (!skiffFirst) skiff.push(await skiffStart(client, cri, server.dataDir, waiters, `p${i + 1}`));
    }
    // Drop the warm-ups.
    skiff.shift();
    raw.shift();
    const loadAverage1m = loadavg()[0];
    const deployMs = opts.deployment === false ? NaN : await deployment100(client);
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid()}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    const result: KubeletBenchResult = {
      n, skiffPodStart: summarize(skiff.map((s) => s.total)), rawCriPodStart: summarize(raw),
      skiffStages: {
        created: summarize(skiff.map((s) => s.created)), bound: summarize(skiff.map((s) => s.bound)),
        firstStatus: summarize(skiff.map((s) => s.firstStatus)),
      },
      ratioP50: 0, ratioP90: 0, ratioP99: 0, deployment100ReadyMs: Math.round(deployMs), serverRssMiB: Math.round(rss),
      loadAverage1m: Math.round(loadAverage1m * 100) / 100,
    };
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    result.ratioP50 = ratio(result.skiffPodStart.p50, result.rawCriPodStart.p50);
    result.ratioP90 = ratio(result.skiffPodStart.p90, result.rawCriPodStart.p90);
    result.ratioP99 = ratio(result.skiffPodStart.p99, result.rawCriPodStart.p99);
    return result;
  } finally {
    abort.abort();
    removeCgroup(RAW_CGROUP);
    cri.close();
    client.close();
    await server.stop();
  }
}

// The namespace's default ServiceAccount (its token volume is part of every pod start) exists before the first timed create.
async function waitForServiceAccount(client: HttpClient): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await client.list(R.serviceaccounts, { namespace: NS })).items.length > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * One pod: timed from the create request to the Ready condition seen by the
 * watch; then deleted, untimed, and waited for until the kubelet has torn it
 * down (sandbox gone from the runtime, log directory removed), as each raw
 * sequence is torn down before the next start. A delete with grace 0 removes
 * the object at once; the kubelet tears the pod down after.
 */
async function skiffStart(client: HttpClient, cri: CriClient, dataDir: string, waiters: Map<string, PodWaiter>, name: string): Promise<SkiffSample> {
  const t = process.hrtime.bigint();
  const sample: SkiffSample = { total: NaN, created: NaN, bound: NaN, firstStatus: NaN };
  const ready = new Promise<void>((resolve) => waiters.set(name, (type, pod) => {
    if (type !== 'ADDED' && type !== 'MODIFIED') return;
    if (pod.spec?.nodeName && Number.isNaN(sample.bound)) sample.bound = ms(t);
    if (pod.status?.startTime && Number.isNaN(sample.firstStatus)) sample.firstStatus = ms(t);
    if (isReady(pod)) resolve();
  }));
  const uid = (await client.create(R.pods, podObject(name), { namespace: NS })).metadata.uid ?? '';
  sample.created = ms(t);
  await ready;
  sample.total = ms(t);
  const gone = new Promise<void>((resolve) => waiters.set(name, (type) => type === 'DELETED' && resolve()));
  await client.delete(R.pods, name, { namespace: NS, gracePeriodSeconds: 0 });
  await gone;
  waiters.delete(name);
  // The kubelet removes the pod's log directory last (after sandbox, volumes and cgroups).
  const logDir = join(dataDir, 'logs', 'pods', `${NS}_${name}_${uid}`);
  for (let i = 0; i < 1500; i++) {
    if (!existsSync(logDir) && (await cri.listPodSandbox({ filter: { label_selector: { [POD_UID_LABEL]: uid } } })).items.length === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return sample;
}

function podObject(name: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, labels: { bench: 'pods' } },
    spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] },
  };
}

const RAW_CGROUP = '/skiff-bench-raw';

// One raw sequence on the node's containerd (same runtime, image and CNI network): sandbox + create + start, timed; teardown untimed.
async function rawCriStart(cri: CriClient, dataDir: string, i: number): Promise<number> {
  const uid = randomBytes(8).toString('hex');
  const logDir = join(dataDir, 'raw-logs', uid);
  mkdirSync(join(logDir, 'c'), { recursive: true });
  const config = {
    metadata: { name: `raw${i}`, uid, namespace: 'raw', attempt: 0 }, hostname: `raw${i}`, log_directory: logDir,
    linux: { cgroup_parent: `${RAW_CGROUP}/pod${uid}` },
  };
  const t = process.hrtime.bigint();
  const { pod_sandbox_id } = await cri.runPodSandbox({ config });
  const { container_id } = await cri.createContainer({
    pod_sandbox_id, sandbox_config: config,
    config: { metadata: { name: 'c', attempt: 0 }, image: { image: BUSYBOX_IMAGE }, command: ['sleep', '3600'], log_path: 'c/0.log' },
  });
  await cri.startContainer({ container_id });
  const took = ms(t);
  await cri.stopContainer({ container_id, timeout: 0 });
  await cri.removeContainer({ container_id });
  await cri.stopPodSandbox({ pod_sandbox_id });
  await cri.removePodSandbox({ pod_sandbox_id });
  removeCgroup(`${RAW_CGROUP}/pod${uid}`);
  return took;
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
  runKubeletBench({ n, deployment: !process.argv.includes('--pods-only') }).then((r) => console.log(JSON.stringify(r, null, 2)), (err) => {
    console.error(err);
    process.exit(1);
  });
}
