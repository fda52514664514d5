// SPDX-License-Identifier: Apache-2.0
/**
 * minikube's time-to-k8s for Skiff on this machine: from `skiff up` to a
 * cluster that answers, runs an app and resolves names.
 *
 * Milestones, each timed from the moment `skiff up` is started:
 * - api: `skiff up` has returned, i.e. /readyz answered 200 (it polls it);
 * - app: a Deployment of busybox httpd (`httpd -f -p 8080`, imagePullPolicy
 *   IfNotPresent), created as soon as the API answers, has its pod Ready and
 *   an HTTP GET to the pod's IP on 8080 from the host answered 200;
 * - dns: the cluster DNS answers, measured as an A query for
 *   `kubernetes.default.svc.cluster.local` sent from the host to the
 *   kube-dns Service's ClusterIP (so through the service proxy's rules to the
 *   DNS server), polled from the moment the API answers, concurrently with
 *   the app.
 * The total is when all three hold (goal < 3 s). Before the clock starts the
 * images are present: a first, untimed `skiff up` imports the httpd image with
 * `skiff image import` and is stopped; everything of that run except
 * containerd's content store is then removed, so the timed run is a fresh
 * cluster (new PKI, empty datastore) on a machine that already has the image.
 * Also reported: the server's CPU seconds (utime+stime from /proc/<pid>/stat)
 * and RSS at the end, containerd's CPU seconds, and baselines from the same
 * run: a bare `node -e 0` start and raw CRI pod start (sandbox + create +
 * start on a private containerd, from cri-bench). `skiff down --purge` ends it.
 * Needs root, containerd, runc and CNI plugins.
 *
 * Run: node dist/bench/time-to-k8s-bench.js
 */
import { spawnSync } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../src/api/object.js';
import { R } from '../src/client/client.js';
import { HttpClient, loadKubeconfig } from '../src/client/http-client.js';
import { busyboxImage } from '../src/images/index.js';
import { runCriBench } from './cri-bench.js';

const REPO = resolve(new URL('../..', import.meta.url).pathname);
const SKIFF = join(REPO, 'bin', 'skiff');
const APP_IMAGE = 'docker.io/library/skiff-httpd:bench';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** skiff runs the CLI as a user would, with the bench's HOME so ~/.kube/config stays private. */
function skiff(args: string[], home: string): void {
  const r = spawnSync(process.execPath, [SKIFF, ...args], { encoding: 'utf8', env: { ...process.env, HOME: home, KUBECONFIG: '' } });
  if (r.status !== 0) throw new Error(`skiff ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
}

/** cpuSeconds is utime+stime of a process, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function rssMB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

function pidFile(path: string): number | undefined {
  return existsSync(path) ? Number(readFileSync(path, 'utf8').trim()) || undefined : undefined;
}

/** stopByPidFile ends the server a failed `skiff down` left running (its --cleanup-on-exit removes pods and containerd). */
async function stopByPidFile(dataDir: string): Promise<void> {
  const pid = pidFile(join(dataDir, 'server.pid'));
  if (!pid) return;
  try {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 600; i++) {
      process.kill(pid, 0);
      await sleep(100);
    }
  } catch {
    // Gone.
  }
}

/** prepareImages brings a node up once, imports the app image, stops it and keeps only containerd's content. */
function prepareImages(dataDir: string, home: string, port: number): void {
  skiff(['up', '--data-dir', dataDir, '--https-port', String(port), '--no-install'], home);
  const archive = join(home, 'httpd.tar');
  writeFileSync(archive, busyboxImage(APP_IMAGE));
  try {
    skiff(['image', 'import', archive, '--data-dir', dataDir], home);
  } finally {
    skiff(['down', '--data-dir', dataDir], home);
  }
  for (const entry of readdirSync(dataDir)) if (entry !== 'containerd') rmSync(join(dataDir, entry), { recursive: true, force: true });
  for (const entry of readdirSync(join(dataDir, 'containerd'))) if (entry !== 'root') rmSync(join(dataDir, 'containerd', entry), { recursive: true, force: true });
  rmSync(join(home, '.kube'), { recursive: true, force: true });
}

function appDeployment(): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: {
      replicas: 1, selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'httpd', image: APP_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['httpd', '-f', '-p', '8080', '-h', '/var/www'], ports: [{ containerPort: 8080 }] }] },
      },
    },
  };
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((res) => {
    const req = httpGet(url, { timeout: 500 }, (r) => {
      r.resume();
      res(r.statusCode === 200);
    });
    req.on('error', () => res(false));
    req.on('timeout', () => req.destroy());
  });
}


/** appServing creates the Deployment and resolves when its pod is Ready and answers HTTP. */
async function appServing(client: HttpClient): Promise<void> {
  await client.create(R.deployments, appDeployment(), { namespace: 'default' });
  for (;;) {
    const pods = (await client.list<KubeObject & Pod>(R.pods, { namespace: 'default', labelSelector: 'app=web' })).items;
    const ready = pods.find((p) => p.status?.podIP && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    if (ready && (await httpOk(`http://${ready.status!.podIP}:8080/`))) return;
    await sleep(20);
  }
}

/** dnsAnswering polls the kube-dns Service's ClusterIP until it resolves kubernetes.default. */
async function dnsAnswering(client: HttpClient): Promise<void> {
  let ip: string | undefined;
  while (!ip) {
    ip = await client.get<KubeObject & Service>(R.services, 'kube-dns', { namespace: 'kube-system' }).then((s) => s.spec?.clusterIP, () => undefined);
    if (!ip) await sleep(20);
  }
  const resolver = new Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([ip]);
  for (;;) {
    const addrs = await resolver.resolve4('kubernetes.default.svc.cluster.local').catch(() => []);
    if (addrs.length) return;
    await sleep(20);
  }
}

/** runTimeToK8sBench runs the benchmark and returns its figures (seconds unless named otherwise). */
export async function runTimeToK8sBench(opts: { criRuns?: number } = {}): Promise<Record<string, number>> {
  const out: Record<string, number> = { load_avg_1m: loadavg()[0] };
  const t = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  out['baseline.node_process_start_s'] = (performance.now() - t) / 1000;

  const home = mkdtempSync(join(tmpdir(), 'skiff-ttk-home-'));
  // Short: containerd's socket path must fit in 108 bytes.
  const dataDir = mkdtempSync('/tmp/ttk-');
  const port = await freePort();
  let client: HttpClient | undefined;
  try {
    prepareImages(dataDir, home, port);
    const t0 = performance.now();
    const since = () => (performance.now() - t0) / 1000;
    skiff(['up', '--data-dir', dataDir, '--https-port', String(port), '--no-install'], home);
    out['api_answering_s'] = since();
    client = new HttpClient(loadKubeconfig(join(dataDir, 'kubeconfig.yaml')));
    const c = client;
    const [app, dns] = await Promise.all([appServing(c).then(since), dnsAnswering(c).then(since)]);
    out['app_serving_s'] = app;
    out['dns_answering_s'] = dns;
    out['total_s'] = Math.max(app, dns);
    out['step.app_after_api_s'] = app - out['api_answering_s'];
    out['step.dns_after_api_s'] = dns - out['api_answering_s'];
    const pid = pidFile(join(dataDir, 'server.pid'));
    if (pid) {
      out['server_cpu_s'] = cpuSeconds(pid);
      out['server_rss_mb'] = rssMB(pid);
    }
    const ctrd = pidFile(join(dataDir, 'containerd', 'containerd.pid'));
    if (ctrd) out['containerd_cpu_s'] = cpuSeconds(ctrd);
    out['total_vs_node_start'] = out['total_s'] / out['baseline.node_process_start_s'];
  } finally {
    client?.close();
    try {
      skiff(['down', '--purge', '--data-dir', dataDir], home);
    } catch (err) {
      await stopByPidFile(dataDir);
      throw err;
    } finally {
      rmSync(home, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  if ((opts.criRuns ?? 5) > 0) {
    const cri = await runCriBench({ n: opts.criRuns ?? 5 });
    out['baseline.raw_cri_pod_start_p50_s'] = cri.podStart.p50 / 1000;
    out['app_after_api_vs_raw_cri_pod_start'] = out['step.app_after_api_s'] / out['baseline.raw_cri_pod_start_p50_s'];
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runTimeToK8sBench().then(
    (figures) => {
      for (const [k, v] of Object.entries(figures)) console.log(`time-to-k8s.${k.padEnd(36)} ${Number.isInteger(v) ? v : v.toFixed(3)}`);
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
