// SPDX-License-Identifier: Apache-2.0
/**
 * Ingress data-plane benchmark: requests/s and latency percentiles through
 * the Ingress data plane beside direct requests to the same backend, in the
 * same run (ratios = through / direct; the goal is ≥ 0.9× throughput and
 * ≤ 1.2× p99). The backend is a separate Node process (as a pod would be);
 * the data plane is the controller's nginx, started by its supervisor on the
 * configuration rendered from a real Ingress object; the load generator
 * (keep-alive, fixed concurrency) runs here. Direct and through-Ingress
 * load alternate in short rounds, so a neighbour's burst on a shared
 * machine hits both sides alike; the load average is reported with them.
 * The control plane is left out: it costs nothing per request.
 *
 * Run: node dist/bench/ingress-bench.js [seconds per side] [concurrency]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NginxDataPlane } from '../src/ingress/nginx-data-plane.js';
import { TLSStore } from '../src/ingress/tls-store.js';
import { buildRouteTable } from '../src/ingress/route-table.js';
import { Upstream } from '../src/ingress/upstream.js';
import { selfSignedCertificate } from '../src/ingress/default-certificate.js';
import type { IngressObj } from '../src/ingress/ingress-class.js';

/** LoadResult is what one side measured over all its rounds. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** IngressBenchResult holds both sides, their ratios and the machine's load. */
export interface IngressBenchResult {
  direct: LoadResult;
  ingress: LoadResult;
  /** rpsRatio is ingress rps / direct rps. */
  rpsRatio: number;
  /** p99Ratio is ingress p99 / direct p99 (lower is better). */
  p99Ratio: number;
  /** loadAverage is the 1-minute load average at the end of the run. */
  loadAverage: number;
  /**
   * CPU µs per request of each process on each path: the load generator (this process), the backend and nginx's
   * workers. On a machine whose cores the direct path already keeps busy, rpsRatio cannot exceed
   * directUs / (directUs + nginxUs): this bound is reported so the ratio can be read against it.
   */
  cpu: { directUs: number; ingressUs: number; nginxUs: number; rpsRatioBound: number };
}

const BACKEND = `require('http').createServer((q, s) => { s.setHeader('content-type', 'text/plain'); s.end('hello from the backend\\n'); })
  .listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;

const ROUND_SECONDS = 0.5;

const BENCH_INGRESS = {
  metadata: { name: 'bench', namespace: 'default' },
  spec: { rules: [{ host: 'bench.test', http: { paths: [
    { path: '/other', pathType: 'Prefix', backend: { service: { name: 'other', port: { number: 80 } } } },
    { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
  ] } }] },
} as IngressObj;

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;
}

interface Tally {
  latencies: number[];
  errors: number;
  seconds: number;
  /** cpuUs is the CPU time the measured processes spent during this side's rounds, by process role. */
  cpuUs: { loadGenerator: number; backend: number; nginx: number };
}

const newTally = (): Tally => ({ latencies: [], errors: 0, seconds: 0, cpuUs: { loadGenerator: 0, backend: 0, nginx: 0 } });

const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

/** processCpuUs reads a process's user+system CPU time (µs) from /proc; 0 once it is gone. */
function processCpuUs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_US;
  } catch {
    return 0;
  }
}

/** measured runs one round and adds the CPU each role spent in it to the tally. */
async function measured(tally: Tally, pids: { backend: number; nginx: () => number[] }, round: () => Promise<void>): Promise<void> {
  const workers = pids.nginx();
  const sum = (): number => workers.reduce((a, p) => a + processCpuUs(p), 0);
  const [self0, backend0, nginx0] = [process.cpuUsage(), processCpuUs(pids.backend), sum()];
  await round();
  const self = process.cpuUsage(self0);
  tally.cpuUs.loadGenerator += self.user + self.system;
  tally.cpuUs.backend += processCpuUs(pids.backend) - backend0;
  tally.cpuUs.nginx += sum() - nginx0;
}

/** load sends GETs with `concurrency` keep-alive connections for `seconds`, adding each one's latency to the tally. */
async function load(port: number, seconds: number, concurrency: number, tally: Tally): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = tally.latencies;
  const end = Date.now() + seconds * 1000;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const t0 = process.hrtime.bigint();
      const req = request({ host: '127.0.0.1', port, path: '/', headers: { host: 'bench.test' }, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          else tally.errors++;
          resolve();
        });
      });
      req.on('error', () => {
        tally.errors++;
        resolve();
      });
      req.end();
    });
  const worker = async (): Promise<void> => {
    while (Date.now() < end) await one();
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  tally.seconds += (Date.now() - started) / 1000;
  agent.destroy();
}

function summary(t: Tally): LoadResult {
  const sorted = [...t.latencies].sort((a, b) => a - b);
  return { rps: sorted.length / t.seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), errors: t.errors };
}

function startBackend(): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, ['-e', BACKEND], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    proc.stdout!.once('data', (d: Buffer) => resolve({ proc, port: Number(String(d).trim()) }));
    proc.once('exit', (code) => reject(new Error(`backend exited with ${code}`)));
  });
}

/** runIngressBench measures direct and through-Ingress throughput and latency in one run, alternating rounds. */
export async function runIngressBench(opts: { seconds?: number; concurrency?: number } = {}): Promise<IngressBenchResult> {
  const seconds = opts.seconds ?? 3;
  const concurrency = opts.concurrency ?? 32;
  const backend = await startBackend();
  const dir = mkdtempSync(join(tmpdir(), 'skiff-ingress-bench-'));
  const plane = new NginxDataPlane({ dir, httpPort: 0, httpsPort: 0, bindAddress: '127.0.0.1' });
  try {
    const tls = new TLSStore(await selfSignedCertificate());
    const up = new Upstream('default/web:80', [{ host: '127.0.0.1', port: backend.port }]);
    await plane.start(buildRouteTable({ ingresses: [BENCH_INGRESS], resolve: () => up }).table, tls);
    // Warm-up: JIT and connection pools on both sides.
    await load(backend.port, ROUND_SECONDS, concurrency, newTally());
    await load(plane.httpPort, ROUND_SECONDS, concurrency, newTally());
    const [direct, ingress] = [newTally(), newTally()];
    const pids = { backend: backend.proc.pid!, nginx: () => plane.supervisor.workerPids() };
    for (let i = 0; i < Math.max(1, Math.round(seconds / ROUND_SECONDS)); i++) {
      await measured(direct, pids, () => load(backend.port, ROUND_SECONDS, concurrency, direct));
      await measured(ingress, pids, () => load(plane.httpPort, ROUND_SECONDS, concurrency, ingress));
    }
    const [d, g] = [summary(direct), summary(ingress)];
    const perRequest = (t: Tally, us: number): number => us / Math.max(1, t.latencies.length);
    const directUs = perRequest(direct, direct.cpuUs.loadGenerator + direct.cpuUs.backend);
    const nginxUs = perRequest(ingress, ingress.cpuUs.nginx);
    const ingressUs = perRequest(ingress, ingress.cpuUs.loadGenerator + ingress.cpuUs.backend) + nginxUs;
    const cpu = { directUs, ingressUs, nginxUs, rpsRatioBound: directUs / (directUs + nginxUs) };
    return { direct: d, ingress: g, rpsRatio: g.rps / d.rps, p99Ratio: g.p99 / d.p99, loadAverage: loadavg()[0], cpu };
  } finally {
    await plane.stop();
    backend.proc.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [seconds, concurrency] = process.argv.slice(2).map(Number);
  const r = await runIngressBench({ seconds: seconds || undefined, concurrency: concurrency || undefined });
  const fmt = (l: LoadResult): string => `${l.rps.toFixed(0)} req/s, p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms, ${l.errors} errors`;
  console.log(`direct:  ${fmt(r.direct)}\ningress: ${fmt(r.ingress)}\nratio:   ${r.rpsRatio.toFixed(2)}x throughput, ${r.p99Ratio.toFixed(2)}x p99 (load average ${r.loadAverage.toFixed(2)})`);
  console.log(`cpu:     ${r.cpu.directUs.toFixed(1)} us/request direct, ${r.cpu.ingressUs.toFixed(1)} through nginx (nginx ${r.cpu.nginxUs.toFixed(1)}); throughput bound on busy cores ${r.cpu.rpsRatioBound.toFixed(2)}x`);
}
