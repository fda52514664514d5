// SPDX-License-Identifier: Apache-2.0
/**
 * Network benchmark (needs root): HTTP requests/s and p99 through a
 * ClusterIP beside the same requests straight to the endpoint IPs, in the
 * same run and from the same fake pod (a netns), so the ratio shows what the
 * iptables DNAT path costs; cluster DNS query latency; and how long an
 * EndpointSlice change takes to show up in the kernel's rules. Each request
 * opens a new connection, so every one goes through NAT (a kept-alive
 * connection would be translated once and measure nothing). Figures from a
 * loaded machine are noisy; the ratio, measured in alternating rounds, is the
 * figure to read.
 *
 * The `pods.*` figures repeat the ClusterIP-vs-direct comparison with real
 * pods on a server running its node agent (containerd, CNI bridge, the
 * proxy as the agent runs it): busybox httpd backends, the load generator
 * (the host's node) inside the client pod's network namespace.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { startServer, SKIFF_BIN, type ServerHandle } from '../test/harness/server-harness.js';
import { busyboxImage, BUSYBOX_IMAGE } from '../src/images/index.js';
import { containerdLayout } from '../src/kubelet/containerd/index.js';
import { NetnsLab } from '../test/e2e/netns/netns-lab.js';
import { HttpClient, loadKubeconfig } from '../src/client/http-client.js';
import { R } from '../src/client/client.js';
import type { KubeObject } from '../src/api/object.js';
import { ServiceProxy } from '../src/proxy/index.js';
import { ClusterDNS, CLASS_IN, encodeMessage, TYPE } from '../src/dns/index.js';

const LOAD_SECONDS = 1.5;
const ROUNDS = 4;
const CONCURRENCY = 16;

/** LOADGEN runs in the client netns: new connection per request for a while, prints {rps, p50, p99} in ms. */
export const LOADGEN = `
const http = require('http');
const [targets, seconds, conc] = [process.argv[1].split(','), Number(process.argv[2]), Number(process.argv[3])];
const lat = []; let i = 0; const end = Date.now() + seconds * 1000;
function one() {
  if (Date.now() >= end) return Promise.resolve();
  const [host, port] = targets[i++ % targets.length].split(':');
  const t = process.hrtime.bigint();
  return new Promise((resolve) => {
    http.get({ host, port, path: '/', agent: false }, (res) => { res.resume(); res.on('end', () => { lat.push(Number(process.hrtime.bigint() - t) / 1e6); resolve(); }); })
      .on('error', () => resolve());
  }).then(one);
}
Promise.all(Array.from({ length: conc }, one)).then(() => {
  lat.sort((a, b) => a - b);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  console.log(JSON.stringify({ rps: lat.length / seconds, p50: q(0.5), p99: q(0.99) }));
});
`;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

/** runNetworkBench measures the Service data plane and cluster DNS; figures in requests/s and milliseconds. */
export async function runNetworkBench(): Promise<Record<string, number>> {
  if (process.getuid?.() !== 0) throw new Error('network bench needs root (network namespaces, iptables)');
  const n = 10 + (process.pid % 200);
  const serviceCIDR = `10.99.${n}.0/24`;
  const server = await startServer({ args: ['--service-cidr', serviceCIDR] });
  const lab = new NetnsLab(`b${process.pid % 10000}`, `10.246.${n}`);
  const abort = new AbortController();
  const proxy = new ServiceProxy(new HttpClient(loadKubeconfig(server.kubeconfig)), { nodeName: 'bench', nodeIPs: [], serviceCIDR, clusterCIDR: `10.246.${n}.0/24`, chainPrefix: `SKB${process.pid % 100000}`, minSyncMs: 20 });
  const dns = new ClusterDNS(new HttpClient(loadKubeconfig(server.kubeconfig)), { listenAddresses: [{ host: '127.0.0.1', port: 0 }], upstreams: [] });
  try {
    const client = new HttpClient(loadKubeconfig(server.kubeconfig));
    lab.addSink('s', [], [serviceCIDR]);
    const [a, b, c] = [lab.addPod('a'), lab.addPod('b'), lab.addPod('c')];
    await Promise.all([lab.serveHttp(a, 8080), lab.serveHttp(b, 8080)]);
    server.kubectlOk(['create', 'namespace', 'bench']);
    const svc = await client.create<KubeObject & { spec: { clusterIP?: string; ports: unknown[] } }>(R.services, { metadata: { name: 'web', namespace: 'bench' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } }, { namespace: 'bench' });
    const slice = { metadata: { name: 'web-1', namespace: 'bench', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', endpoints: [a, b].map((p) => ({ addresses: [p.ip], conditions: { ready: true } })), ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] };
    await client.create(R.endpointslices, slice, { namespace: 'bench' });
    await proxy.start(abort.signal);
    await dns.start(abort.signal);

    const load = (targets: string[]): { rps: number; p50: number; p99: number } =>
      JSON.parse(execFileSync('ip', ['netns', 'exec', c.netns, process.execPath, '-e', LOADGEN, targets.join(','), String(LOAD_SECONDS), String(CONCURRENCY)]).toString());
    load([`${a.ip}:8080`]); // warm-up
    // Alternate the two in short rounds so machine load (other tests, CI neighbours) hits both alike.
    const rounds: { direct: ReturnType<typeof load>[]; service: ReturnType<typeof load>[] } = { direct: [], service: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? (['direct', 'service'] as const) : (['service', 'direct'] as const);
      for (const k of order) rounds[k].push(load(k === 'direct' ? [`${a.ip}:8080`, `${b.ip}:8080`] : [`${svc.spec.clusterIP}:80`]));
    }
    const sum = (xs: { rps: number }[]): number => xs.reduce((t, x) => t + x.rps, 0) / xs.length;
    const direct = { rps: sum(rounds.direct), p99: percentile(rounds.direct.map((x) => x.p99), 0.5) };
    const viaService = { rps: sum(rounds.service), p99: percentile(rounds.service.map((x) => x.p99), 0.5) };

    const dnsLatencies = await queryLatencies(dns.addresses[0].port, 'web.bench.svc.cluster.local', 2000);

    const ruleLatencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const cur = await client.get(R.endpointslices, 'web-1', { namespace: 'bench' });
      const endpoints = i % 2 === 0 ? slice.endpoints.slice(0, 1) : slice.endpoints;
      const want = i % 2 === 0 ? (s: string): boolean => !s.includes(`${b.ip}:8080`) : (s: string): boolean => s.includes(`${b.ip}:8080`);
      const t0 = performance.now();
      await client.update(R.endpointslices, { ...cur, endpoints }, { namespace: 'bench' });
      while (!want(execFileSync('iptables-save', ['-t', 'nat']).toString())) await new Promise((r) => setTimeout(r, 2));
      ruleLatencies.push(performance.now() - t0);
    }
    const pods = await realPodFigures();
    return {
      ...pods,
      'direct.rps': direct.rps,
      'direct.p99_ms': direct.p99,
      'clusterip.rps': viaService.rps,
      'clusterip.p99_ms': viaService.p99,
      'clusterip_vs_direct.rps_ratio': viaService.rps / direct.rps,
      'clusterip_vs_direct.p99_ratio': viaService.p99 / direct.p99,
      'dns.query_p50_ms': percentile(dnsLatencies, 0.5),
      'dns.query_p99_ms': percentile(dnsLatencies, 0.99),
      'endpoint_to_rule.p50_ms': percentile(ruleLatencies, 0.5),
      'endpoint_to_rule.max_ms': Math.max(...ruleLatencies),
    };
  } finally {
    abort.abort();
    await dns.stop().catch(() => undefined);
    await proxy.stop().catch(() => undefined);
    lab.cleanup();
    await server.stop();
  }
}

/** alternate runs the load against both target sets in alternating rounds and averages each. */
export function alternate(load: (targets: string[]) => { rps: number; p99: number }, direct: string[], service: string[]): { direct: { rps: number; p99: number }; service: { rps: number; p99: number } } {
  const rounds: { direct: { rps: number; p99: number }[]; service: { rps: number; p99: number }[] } = { direct: [], service: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? (['direct', 'service'] as const) : (['service', 'direct'] as const);
    for (const k of order) rounds[k].push(load(k === 'direct' ? direct : service));
  }
  const avg = (xs: { rps: number; p99: number }[]) => ({ rps: xs.reduce((t, x) => t + x.rps, 0) / xs.length, p99: percentile(xs.map((x) => x.p99), 0.5) });
  return { direct: avg(rounds.direct), service: avg(rounds.service) };
}

/** podNetns finds the network namespace file (under the node's containerd state) whose eth0 has this IP. */
export function podNetns(dataDir: string, ip: string): string {
  const files: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory() && depth < 4) walk(p, depth + 1);
      else if (e.name.startsWith('cni-') && statSync(p).isFile()) files.push(p);
    }
  };
  walk(containerdLayout(dataDir).state, 0);
  const found = files.find((f) => spawnSync('nsenter', [`--net=${f}`, 'ip', '-4', '-o', 'addr', 'show', 'eth0'], { encoding: 'utf8' }).stdout.includes(` ${ip}/`));
  if (!found) throw new Error(`no pod network namespace with ${ip} among ${files.length}`);
  return found;
}

/** realPodFigures measures ClusterIP against direct pod-IP requests between real pods of a server running its agent. */
async function realPodFigures(): Promise<Record<string, number>> {
  const server: ServerHandle = await startServer({ agent: true });
  try {
    const archive = join(server.dataDir, 'busybox.oci.tar');
    writeFileSync(archive, busyboxImage());
    const imp = spawnSync(process.execPath, [SKIFF_BIN, 'image', 'import', archive, '--data-dir', server.dataDir], { encoding: 'utf8' });
    rmSync(archive, { force: true });
    if (imp.status !== 0) throw new Error(`image import: ${imp.stderr}`);
    const web = { name: 'httpd', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www'], ports: [{ containerPort: 8080 }] };
    const docs = [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [web] } } } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client' }, spec: { containers: [{ name: 'c', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] } },
    ];
    server.kubectlOk(['apply', '-f', '-'], { input: docs.map((d) => JSON.stringify(d)).join('\n') });
    server.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    server.kubectlOk(['wait', '--for=condition=Ready', 'pod/client', '--timeout=60s']);
    const podIPs = server.kubectlOk(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.podIP}']).split(' ');
    const clusterIP = server.kubectlOk(['get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    const netns = podNetns(server.dataDir, server.kubectlOk(['get', 'pod', 'client', '-o', 'jsonpath={.status.podIP}']));
    const load = (targets: string[]): { rps: number; p50: number; p99: number } =>
      JSON.parse(execFileSync('nsenter', [`--net=${netns}`, process.execPath, '-e', LOADGEN, targets.join(','), String(LOAD_SECONDS), String(CONCURRENCY)]).toString());
    // Warm up until the proxy's rules are in and the Service answers.
    for (let i = 0; load([`${clusterIP}:80`]).rps === 0; i++) if (i > 20) throw new Error('the web Service never answered');
    const r = alternate(load, podIPs.map((ip) => `${ip}:8080`), [`${clusterIP}:80`]);
    return {
      'pods.direct.rps': r.direct.rps,
      'pods.clusterip.rps': r.service.rps,
      'pods.clusterip_vs_direct.rps_ratio': r.service.rps / r.direct.rps,
      'pods.clusterip_vs_direct.p99_ratio': r.service.p99 / r.direct.p99,
    };
  } finally {
    await server.stop();
  }
}

/** queryLatencies sends sequential A queries over UDP and returns each round trip in ms. */
async function queryLatencies(port: number, name: string, count: number): Promise<number[]> {
  const sock = createSocket('udp4');
  const out: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const id = randomInt(0x10000);
      const q = encodeMessage({ id, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: 0, questions: [{ name, type: TYPE.A, class: CLASS_IN }], answers: [], authorities: [], additionals: [] });
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        const onMsg = (m: Buffer): void => {
          if (m.readUInt16BE(0) !== id) return;
          sock.off('message', onMsg);
          resolve();
        };
        sock.on('message', onMsg);
        sock.send(q, port, '127.0.0.1');
      });
      out.push(performance.now() - t0);
    }
  } finally {
    sock.close();
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runNetworkBench().then(
    (figures) => {
      for (const [k, v] of Object.entries(figures)) console.log(`network.${k.padEnd(36)} ${Number.isInteger(v) ? v : v.toFixed(3)}`);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
