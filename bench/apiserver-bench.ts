// SPDX-License-Identifier: Apache-2.0
/**
 * API server benchmarks, each beside a baseline measured in the same run:
 * - start to /readyz, against a bare `node -e` process start;
 * - idle RSS, against a bare node process;
 * - create and get latency with 50 concurrent clients, against an HTTPS
 *   echo server in its own process with the API server's TLS settings that
 *   answers a create's answer byte for byte (the transport floor), measured
 *   in alternating rounds (echo-baseline.ts) after the same number of
 *   untimed creates on each side (the server's cold figure is reported
 *   apart); list latency;
 * - LIST of 10,000 pods, plain and gzipped (what kubectl and browsers ask
 *   for: Accept-Encoding: gzip), alternating, decoding included;
 * - watch delivery latency to 100 watchers.
 * Connections are opened (TLS handshakes with client certificates) before a
 * latency phase starts, for the server and the echo baseline alike, so p99
 * is request latency, not handshake latency. Each phase also reports the
 * server's CPU time per request (utime+stime from /proc), which holds up on a
 * loaded machine where wall-clock latencies do not; the 1-minute load
 * average is reported at the start and end.
 * SKIFF_BENCH_SERVER_NODE_ARGS (space-separated) passes flags to the
 * server's node (V8 heap flags, --cpu-prof) for A/B runs.
 * SKIFF_BENCH_APISERVER_WRITES_ONLY=1 stops after the create and get phases,
 * for quick A/B rounds on the write path.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { client, concurrent, failureCount, percentile, resetFailures, warm, type Creds } from './https-client.js';
import { alternate, cpuMs, startEcho, type SideFigures } from './echo-baseline.js';

const REPO = resolve(new URL('../..', import.meta.url).pathname);

function serverNodeArgs(): string[] {
  return (process.env.SKIFF_BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

function rssMB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function startSkiff(dataDir: string): Promise<{ pid: number; creds: Creds; readyMs: number; stop(): Promise<void> }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...serverNodeArgs(), join(REPO, 'bin/skiff'), 'server', '--data-dir', dataDir, '--https-port', '0', '--disable-agent'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let logs = '';
  child.stderr.on('data', (d: Buffer) => (logs += d.toString()));
  while (!/ready at (https:\/\/\S+);/.test(logs)) {
    if (child.exitCode !== null) throw new Error(logs);
    await new Promise((r) => setTimeout(r, 5));
  }
  const readyMs = performance.now() - t0;
  const doc = parse(readFileSync(join(dataDir, 'kubeconfig.yaml'), 'utf8'));
  const creds: Creds = {
    url: doc.clusters[0].cluster.server,
    ca: Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64'),
    cert: Buffer.from(doc.users[0].user['client-certificate-data'], 'base64'),
    key: Buffer.from(doc.users[0].user['client-key-data'], 'base64'),
  };
  return {
    pid: child.pid!,
    creds,
    readyMs,
    stop: () =>
      new Promise((res) => {
        child.on('exit', () => res());
        child.kill('SIGTERM');
      }),
  };
}

/** COLD_CREATES are a fresh server's first creates, reported apart (create_cold.*). */
const COLD_CREATES = 1000;

/**
 * WARMING_CREATES follow the cold ones, untimed, before the timed rounds
 * (create_warming.* reports their CPU). V8 optimizes a function once it has
 * run enough of its bytecode, so a function that runs once per request
 * (path parsing, validation, the managed-fields step) is optimized only
 * after some thousands of requests: runs of 24 x 400 creates after the cold
 * ones went from 400 to 150-175 us of server CPU per create, flat from
 * about the 6,000th create on (2026-12-07, this machine).
 */
const WARMING_CREATES = 5000;

/** configMap is the object every create sends (about 300 bytes, as the figures have always used). */
function configMap(name: string): object {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v'.repeat(200) } };
}

/** report writes one phase's figures and their ratios to the echo baseline measured in the same rounds. */
function report(out: Record<string, number>, name: string, api: SideFigures, echo: SideFigures): void {
  out[`${name}.p50_ms`] = api.p50;
  out[`${name}.p99_ms`] = api.p99;
  out[`${name}.per_s`] = api.perSecond;
  out[`${name}.server_cpu_us_per_req`] = api.cpuMicrosPerRequest;
  out[`baseline.https_echo.${name}.p50_ms`] = echo.p50;
  out[`baseline.https_echo.${name}.p99_ms`] = echo.p99;
  out[`baseline.https_echo.${name}.per_s`] = echo.perSecond;
  out[`baseline.https_echo.${name}.server_cpu_us_per_req`] = echo.cpuMicrosPerRequest;
  out[`${name}.p50_vs_echo`] = api.p50 / echo.p50;
  out[`${name}.p99_vs_echo`] = api.p99 / echo.p99;
  out[`${name}.per_s_vs_echo`] = api.perSecond / echo.perSecond;
  out[`${name}.server_cpu_vs_echo`] = api.cpuMicrosPerRequest / echo.cpuMicrosPerRequest;
}

export async function runAPIServerBench(): Promise<Record<string, number>> {
  const out: Record<string, number> = { load_avg_1m: loadavg()[0] };
  const nodeStart = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  out['baseline.node_process_start_ms'] = performance.now() - nodeStart;

  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
  const srv = await startSkiff(dataDir);
  resetFailures();
  try {
    await measure(srv, dataDir, out);
  } catch (err) {
    // Report what was measured and why the rest was not, rather than dying without a figure.
    console.error(`apiserver bench stopped early: ${err instanceof Error ? err.message : String(err)}`);
    out['stopped_early'] = 1;
  } finally {
    out['failed_requests'] = failureCount();
    out['load_avg_1m_end'] = loadavg()[0];
    await srv.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return out;
}

async function measure(srv: Awaited<ReturnType<typeof startSkiff>>, dataDir: string, out: Record<string, number>): Promise<void> {
  out['start_to_ready_ms'] = srv.readyMs;
  out['start_to_ready_vs_node_start'] = srv.readyMs / out['baseline.node_process_start_ms'];
  await new Promise((r) => setTimeout(r, 2000));
  out['idle_rss_mb'] = rssMB(srv.pid);
  const bare = spawn(process.execPath, ['-e', 'setTimeout(()=>{}, 10000)']);
  await new Promise((r) => setTimeout(r, 300));
  out['baseline.bare_node_rss_mb'] = rssMB(bare.pid!);
  out['idle_rss_vs_bare_node'] = out['idle_rss_mb'] / out['baseline.bare_node_rss_mb'];
  bare.kill();

  const call = client(srv.creds);
  await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
  await warm(call);
  // One create's answer is what the echo baseline answers, byte for byte.
  const sample = await call('POST', '/api/v1/namespaces/bench/configmaps', configMap('sample'));
  const echo = await startEcho(srv.creds, join(dataDir, 'tls'), sample.text, dataDir);
  try {
    // Both sides first serve the same number of untimed creates, so the
    // timed rounds compare steady state with steady state: a fresh server's
    // first few thousand creates also pay for V8 compiling its write path
    // (two to three times the steady CPU per create), which the echo's few
    // lines do not. The cold and warming figures are reported on their own.
    const coldCpu0 = cpuMs(srv.pid);
    const cold = await concurrent(50, COLD_CREATES, (i) => call('POST', '/api/v1/namespaces/bench/configmaps', configMap(`cold-${i}`)));
    out['create_cold.p99_ms'] = percentile(cold.lat, 99);
    out['create_cold.server_cpu_us_per_req'] = ((cpuMs(srv.pid) - coldCpu0) * 1000) / cold.lat.length;
    const warmingCpu0 = cpuMs(srv.pid);
    const warming = await concurrent(50, WARMING_CREATES, (i) => call('POST', '/api/v1/namespaces/bench/configmaps', configMap(`warm-${i}`)));
    out['create_warming.p99_ms'] = percentile(warming.lat, 99);
    out['create_warming.server_cpu_us_per_req'] = ((cpuMs(srv.pid) - warmingCpu0) * 1000) / warming.lat.length;
    await concurrent(50, COLD_CREATES + WARMING_CREATES, (i) => echo.call('POST', '/api/v1/namespaces/bench/configmaps', configMap(`warm-${i}`)));
    const [create, createEcho] = await alternate(5, 400, 50, { pid: srv.pid, op: (i) => call('POST', '/api/v1/namespaces/bench/configmaps', configMap(`cm-${i}`)) }, { pid: echo.pid, op: (i) => echo.call('POST', '/api/v1/namespaces/bench/configmaps', configMap(`cm-${i}`)) });
    report(out, 'create', create, createEcho);
    const [get, getEcho] = await alternate(5, 800, 50, { pid: srv.pid, op: (i) => call('GET', `/api/v1/namespaces/bench/configmaps/cm-${i % 2000}`) }, { pid: echo.pid, op: (i) => echo.call('GET', `/api/v1/namespaces/bench/configmaps/cm-${i % 2000}`) });
    report(out, 'get', get, getEcho);
  } finally {
    await echo.stop();
  }
  let cpu0 = cpuMs(srv.pid);
  const list = await concurrent(50, 200, () => call('GET', '/api/v1/namespaces/bench/configmaps?limit=100'));
  out['list100.p50_ms'] = percentile(list.lat, 50);
  out['list100.p99_ms'] = percentile(list.lat, 99);
  out['list100.server_cpu_us_per_req'] = ((cpuMs(srv.pid) - cpu0) * 1000) / list.lat.length;
  cpu0 = cpuMs(srv.pid);
  const disco = await concurrent(10, 200, (i) => call('GET', i % 2 ? '/apis' : '/api/v1'));
  out['discovery.p50_ms'] = percentile(disco.lat, 50);
  out['discovery.server_cpu_us_per_req'] = ((cpuMs(srv.pid) - cpu0) * 1000) / disco.lat.length;
  if (process.env.SKIFF_BENCH_APISERVER_WRITES_ONLY === '1') return;

  // LIST of 10,000 pods.
  const pod = (i: number) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i}`, labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', resources: { requests: { cpu: '10m' } } }] } });
  await concurrent(50, 10_000, (i) => call('POST', '/api/v1/namespaces/bench/pods', pod(i)));
  // Plain and gzipped reads alternate, so both see the same load on a shared machine.
  const lists = { plain: [] as number[], gzip: [] as number[] };
  const listCpu = { plain: 0, gzip: 0 };
  for (let i = 0; i < 10; i++) {
    const kind = i % 2 ? 'gzip' : 'plain';
    cpu0 = cpuMs(srv.pid);
    const s = performance.now();
    const r = await call('GET', '/api/v1/namespaces/bench/pods', undefined, kind === 'gzip' ? { 'Accept-Encoding': 'gzip' } : {});
    lists[kind].push(performance.now() - s);
    listCpu[kind] += cpuMs(srv.pid) - cpu0;
    if (i < 2) out[kind === 'gzip' ? 'list10k.gzip.wire_bytes' : 'list10k.bytes'] = r.wireBytes ?? 0;
  }
  out['list10k.p50_ms'] = percentile(lists.plain, 50);
  out['list10k.server_cpu_ms_per_req'] = listCpu.plain / lists.plain.length;
  out['list10k.gzip.p50_ms'] = percentile(lists.gzip, 50);
  out['list10k.gzip.server_cpu_ms_per_req'] = listCpu.gzip / lists.gzip.length;
  out['list10k.gzip_over_plain.p50'] = out['list10k.gzip.p50_ms'] / out['list10k.p50_ms'];
  out['list10k.gzip_over_plain.server_cpu'] = out['list10k.gzip.server_cpu_ms_per_req'] / out['list10k.server_cpu_ms_per_req'];
  out['list10k.gzip_over_plain.bytes'] = out['list10k.gzip.wire_bytes'] / out['list10k.bytes'];

  // Watch delivery latency to 100 watchers.
  const watchers = 100;
  const arrivals = new Map<string, number[]>();
  const agent = new Agent({ keepAlive: true, maxSockets: watchers + 10, ca: srv.creds.ca, cert: srv.creds.cert, key: srv.creds.key });
  const reqs = [];
  let opened = 0;
  for (let w = 0; w < watchers; w++) {
    const req = request(new URL('/api/v1/namespaces/bench/configmaps?watch=true&resourceVersion=' + '1&fieldSelector=metadata.name%3Dwatched', srv.creds.url), { agent }, (res) => {
      opened++;
      let buf = '';
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const ev = JSON.parse(line);
          const v = ev.object?.data?.v;
          if (v) arrivals.get(v)?.push(performance.now());
        }
      });
    });
    req.end();
    reqs.push(req);
  }
  while (opened < watchers) await new Promise((r) => setTimeout(r, 10));
  await call('POST', '/api/v1/namespaces/bench/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched' }, data: { v: 'init' } });
  const latencies: number[] = [];
  for (let i = 0; i < 20; i++) {
    const v = `u${i}`;
    arrivals.set(v, []);
    const sent = performance.now();
    await call('PATCH', '/api/v1/namespaces/bench/configmaps/watched', { data: { v } }).catch(() => undefined);
    const deadline = performance.now() + 2000;
    while (arrivals.get(v)!.length < watchers && performance.now() < deadline) await new Promise((r) => setImmediate(r));
    for (const t of arrivals.get(v)!) latencies.push(t - sent);
  }
  out['watch100.p50_ms'] = percentile(latencies, 50);
  out['watch100.p99_ms'] = percentile(latencies, 99);
  for (const r of reqs) r.destroy();
  agent.destroy();
}
