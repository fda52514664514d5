// SPDX-License-Identifier: Apache-2.0
/**
 * Ingress data-plane benchmark: requests/s and latency percentiles through
 * the Ingress proxy beside direct requests to the same backend, in the same
 * run (ratio = through / direct; the goal is ≥ 0.8 for throughput). The
 * backend is a separate Node process (as a pod would be), the proxy runs in
 * a worker thread with a routing table compiled from a real Ingress object,
 * and the load generator (keep-alive, fixed concurrency) in the main thread,
 * so no two of them share an event loop. The control plane is left out: it
 * costs nothing per request.
 *
 * Run: node dist/bench/ingress-bench.js [seconds] [concurrency]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** LoadResult is what one load run measured. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** IngressBenchResult holds both runs and their ratios. */
export interface IngressBenchResult {
  direct: LoadResult;
  ingress: LoadResult;
  /** rpsRatio is ingress rps / direct rps. */
  rpsRatio: number;
  /** p99Ratio is ingress p99 / direct p99 (lower is better). */
  p99Ratio: number;
}

const BACKEND = `require('http').createServer((q, s) => { s.setHeader('content-type', 'text/plain'); s.end('hello from the backend\\n'); })
  .listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;

/** PROXY runs in a worker: it compiles an Ingress into a table and serves it on a free port. */
const PROXY = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { IngressProxy } = await import(workerData.dir + '/src/ingress/ingress-proxy.js');
  const { TLSStore } = await import(workerData.dir + '/src/ingress/tls-store.js');
  const { buildRouteTable } = await import(workerData.dir + '/src/ingress/route-table.js');
  const { Upstream } = await import(workerData.dir + '/src/ingress/upstream.js');
  const { selfSignedCertificate } = await import(workerData.dir + '/src/ingress/default-certificate.js');
  const proxy = new IngressProxy({ httpPort: 0, httpsPort: 0, bindAddress: '127.0.0.1', tls: new TLSStore(await selfSignedCertificate()) });
  const ingress = { metadata: { name: 'bench', namespace: 'default' }, spec: { rules: [{ host: 'bench.test', http: { paths: [
    { path: '/other', pathType: 'Prefix', backend: { service: { name: 'other', port: { number: 80 } } } },
    { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } } ] } }] } };
  const up = new Upstream('default/web:80', [{ host: '127.0.0.1', port: workerData.backendPort }]);
  proxy.table = buildRouteTable({ ingresses: [ingress], resolve: () => up }).table;
  await proxy.listen();
  parentPort.postMessage(proxy.httpPort);
})();
`;

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;
}

/** load sends GETs with `concurrency` keep-alive connections for `seconds` and measures each one. */
async function load(port: number, seconds: number, concurrency: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const t0 = process.hrtime.bigint();
      const req = request({ host: '127.0.0.1', port, path: '/', headers: { host: 'bench.test' }, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          else errors++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  const worker = async (): Promise<void> => {
    while (Date.now() < end) await one();
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (Date.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

function startBackend(): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, ['-e', BACKEND], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    proc.stdout!.once('data', (d: Buffer) => resolve({ proc, port: Number(String(d).trim()) }));
    proc.once('exit', (code) => reject(new Error(`backend exited with ${code}`)));
  });
}

/** runIngressBench measures direct and through-Ingress throughput and latency in one run. */
export async function runIngressBench(opts: { seconds?: number; concurrency?: number } = {}): Promise<IngressBenchResult> {
  const seconds = opts.seconds ?? 3;
  const concurrency = opts.concurrency ?? 32;
  const backend = await startBackend();
  const dir = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
  const worker = new Worker(PROXY, { eval: true, workerData: { dir, backendPort: backend.port } });
  try {
    const proxyPort = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await load(backend.port, 0.5, concurrency); // warm-up: JIT and connection pools
    await load(proxyPort, 0.5, concurrency);
    const direct = await load(backend.port, seconds, concurrency);
    const ingress = await load(proxyPort, seconds, concurrency);
    return { direct, ingress, rpsRatio: ingress.rps / direct.rps, p99Ratio: ingress.p99 / direct.p99 };
  } finally {
    await worker.terminate();
    backend.proc.kill();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [seconds, concurrency] = process.argv.slice(2).map(Number);
  const r = await runIngressBench({ seconds: seconds || undefined, concurrency: concurrency || undefined });
  const fmt = (l: LoadResult): string => `${l.rps.toFixed(0)} req/s, p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms, ${l.errors} errors`;
  console.log(`direct:  ${fmt(r.direct)}\ningress: ${fmt(r.ingress)}\nratio:   ${r.rpsRatio.toFixed(2)}x throughput, ${r.p99Ratio.toFixed(2)}x p99`);
}
