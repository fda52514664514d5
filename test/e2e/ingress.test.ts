// SPDX-License-Identifier: Apache-2.0
/**
 * End to end: a real `skiff server`, the Ingress controller in this process
 * on free loopback ports, and backends that are HTTP servers inside network
 * namespaces this test creates (veth pairs in 10.245.<n>.0/30, reachable
 * only from this machine). Services have no selector; the test writes their
 * EndpointSlices, as a pod-less stand-in for the endpointslice controller.
 * Manifests go through the real kubectl.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { processesMentioning } from './harness/host-cleanup.js';
import { HttpClient, loadKubeconfig } from '../../src/client/http-client.js';
import { ingressController, type IngressController } from '../../src/ingress/index.js';
import { selfSignedCertificate } from '../../src/ingress/default-certificate.js';

const require = createRequire(import.meta.url);
const WS_MODULE = require.resolve('ws');
const canRun = process.getuid?.() === 0 && spawnOk('ip', ['-V']);
const ID = process.pid % 10000;
const NET = 100 + (process.pid % 100);
const NS = 'ing-e2e';

function spawnOk(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** BACKEND is the server each netns runs: it echoes what it received as JSON and echoes WebSocket messages. */
const BACKEND = `
const http = require('http');
const { WebSocketServer } = require(process.argv[2]);
const name = process.argv[1];
const server = http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  // /slow answers after a while: a request in flight across a data-plane reload.
  if (req.url.startsWith('/slow')) return void setTimeout(() => res.end(JSON.stringify({ name, url: req.url })), 1500);
  res.end(JSON.stringify({ name, url: req.url, host: req.headers.host, xff: req.headers['x-forwarded-for'], proto: req.headers['x-forwarded-proto'] }));
});
new WebSocketServer({ server }).on('connection', (ws) => ws.on('message', (m) => ws.send(name + ':' + m)));
server.listen(8080, '0.0.0.0', () => console.log('ready'));
`;

interface Backend {
  name: string;
  ip: string;
  netns: string;
  proc: ChildProcess;
}

const backends: Backend[] = [];

async function startBackend(name: string, index: number): Promise<Backend> {
  const netns = `sking${ID}${name[0]}`;
  const hostIf = `vig${ID}${name[0]}h`;
  const podIf = `vig${ID}${name[0]}p`;
  const hostIP = `10.245.${NET}.${index * 4 + 1}`;
  const ip = `10.245.${NET}.${index * 4 + 2}`;
  const sh = (...args: string[]): void => void execFileSync('ip', args, { stdio: 'pipe' });
  sh('netns', 'add', netns);
  sh('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', podIf);
  sh('link', 'set', podIf, 'netns', netns);
  sh('addr', 'add', `${hostIP}/30`, 'dev', hostIf);
  sh('link', 'set', hostIf, 'up');
  sh('netns', 'exec', netns, 'ip', 'addr', 'add', `${ip}/30`, 'dev', podIf);
  sh('netns', 'exec', netns, 'ip', 'link', 'set', podIf, 'up');
  sh('netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up');
  const proc = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', BACKEND, name, WS_MODULE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const b = { name, ip, netns, proc };
  backends.push(b);
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.once('data', () => resolve());
    proc.once('exit', (code) => reject(new Error(`backend ${name} exited with ${code}`)));
  });
  return b;
}

function stopBackends(): void {
  for (const b of backends) {
    b.proc.kill('SIGKILL');
    try {
      execFileSync('ip', ['netns', 'del', b.netns], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  cn?: string;
}

function get(port: number, host: string, path: string, opts: { tls?: { ca: string } } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const common = { host: '127.0.0.1', port, path, headers: { host }, agent: false as const };
    const onRes = (res: import('node:http').IncomingMessage): void => {
      let body = '';
      const cert = opts.tls ? (res.socket as TLSSocket).getPeerCertificate() : undefined;
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, cn: cert ? String(cert.subject.CN) : undefined }));
    };
    const req = opts.tls ? httpsRequest({ ...common, servername: host, ca: opts.tls.ca }, onRes) : httpRequest(common, onRes);
    req.on('error', reject);
    req.end();
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** routed polls until a request is answered by the expected backend, and returns the parsed echo. */
async function routed(port: number, host: string, path: string, backend: string, timeoutMs?: number): Promise<{ name: string; url: string; host: string; xff: string; proto: string }> {
  return until(`${host}${path} → ${backend}`, async () => {
    const r = await get(port, host, path);
    if (r.status !== 200) return undefined;
    const echo = JSON.parse(r.body);
    return echo.name === backend ? echo : undefined;
  }, timeoutMs);
}

function serviceAndSlice(name: string, ip: string): string {
  return `
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${NS}}
spec:
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${name}-manual
  namespace: ${NS}
  labels: {kubernetes.io/service-name: ${name}, endpointslice.kubernetes.io/managed-by: e2e-test}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints: [{addresses: ["${ip}"], conditions: {ready: true}}]
`;
}

let server: ServerHandle;
let controller: IngressController;
const abort = new AbortController();
let tlsPair: { cert: string; key: string };

before(async () => {
  if (!canRun) return;
  server = await startServer();
  const [api, web] = await Promise.all([startBackend('api', 0), startBackend('web', 1)]);
  tlsPair = await selfSignedCertificate('secure.test', ['secure.test']);
  server.kubectlOk(['create', 'namespace', NS]);
  server.kubectlOk(['apply', '-f', '-'], { input: serviceAndSlice('api', api.ip) + '---' + serviceAndSlice('web', web.ip) });
  const client = new HttpClient(loadKubeconfig(server.kubeconfig));
  controller = ingressController(client, { httpPort: 0, httpsPort: 0, bindAddress: '127.0.0.1', nodeAddress: '127.0.0.1', dataDir: join(server.dataDir, 'ingress'), log: () => undefined });
  await controller.start(abort.signal);
});

after(async () => {
  if (!canRun) return;
  abort.abort();
  await controller?.stop();
  stopBackends();
  await server?.stop();
});

test('two hosts and two paths reach different Services; X-Forwarded headers; default class and status', { skip: !canRun && 'needs root and iproute2' }, async () => {
  server.kubectlOk(['apply', '-f', '-'], {
    input: `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: hosts, namespace: ${NS}}
spec:
  rules:
  - host: a.test
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: api, port: {name: http}}}}]}
  - host: b.test
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
  - host: paths.test
    http:
      paths:
      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
      - {path: /web, pathType: Exact, backend: {service: {name: web, port: {number: 80}}}}
`,
  });
  const http = controller.httpPort;
  const a = await routed(http, 'a.test', '/hello?x=1', 'api');
  assert.equal(a.url, '/hello?x=1');
  assert.equal(a.host, 'a.test');
  assert.equal(a.xff, '127.0.0.1');
  assert.equal(a.proto, 'http');
  await routed(http, 'b.test', '/', 'web');
  assert.equal((await routed(http, 'paths.test', '/api/v1', 'api')).url, '/api/v1');
  await routed(http, 'paths.test', '/web', 'web');
  assert.equal((await get(http, 'paths.test', '/web/sub')).status, 404);
  assert.equal((await get(http, 'nowhere.test', '/')).status, 404);

  const cls = JSON.parse(server.kubectlOk(['get', 'ingressclass', 'skiff', '-o', 'json']));
  assert.equal(cls.metadata.annotations['ingressclass.kubernetes.io/is-default-class'], 'true');
  assert.equal(cls.spec.controller, 'skiff.dev/ingress');
  const address = await until('status.loadBalancer', async () => {
    const out = server.kubectlOk(['get', 'ingress', 'hosts', '-n', NS, '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']);
    return out || undefined;
  });
  assert.equal(address, '127.0.0.1');
});

test('the tutorial manifest: nginx class, use-regex and rewrite-target /$1', { skip: !canRun && 'needs root and iproute2' }, async () => {
  server.kubectlOk(['apply', '-f', '-'], {
    input: `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ingress-service
  namespace: ${NS}
  annotations:
    kubernetes.io/ingress.class: nginx
    nginx.ingress.kubernetes.io/use-regex: "true"
    nginx.ingress.kubernetes.io/rewrite-target: /$1
spec:
  rules:
  - host: tut.test
    http:
      paths:
      - {path: "/?(.*)", pathType: ImplementationSpecific, backend: {service: {name: web, port: {number: 80}}}}
      - {path: "/api/?(.*)", pathType: ImplementationSpecific, backend: {service: {name: api, port: {number: 80}}}}
`,
  });
  const http = controller.httpPort;
  assert.equal((await routed(http, 'tut.test', '/api/values/all', 'api')).url, '/values/all');
  assert.equal((await routed(http, 'tut.test', '/', 'web')).url, '/');
  assert.equal((await routed(http, 'tut.test', '/static/main.js', 'web')).url, '/static/main.js');
});

test('TLS from a kubernetes.io/tls Secret by SNI, default certificate otherwise, ssl-redirect', { skip: !canRun && 'needs root and iproute2' }, async () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  server.kubectlOk(['apply', '-f', '-'], {
    input: `
apiVersion: v1
kind: Secret
metadata: {name: secure-tls, namespace: ${NS}}
type: kubernetes.io/tls
data: {tls.crt: ${b64(tlsPair.cert)}, tls.key: ${b64(tlsPair.key)}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: secure, namespace: ${NS}}
spec:
  ingressClassName: skiff
  tls: [{hosts: [secure.test], secretName: secure-tls}]
  rules:
  - host: secure.test
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}]}
`,
  });
  const reply = await until('TLS route', async () => {
    const r = await get(controller.httpsPort, 'secure.test', '/s', { tls: { ca: tlsPair.cert } });
    return r.status === 200 ? r : undefined;
  });
  assert.equal(reply.cn, 'secure.test');
  assert.equal(JSON.parse(reply.body).proto, 'https');
  const redirect = await get(controller.httpPort, 'secure.test', '/s?q=1');
  assert.equal(redirect.status, 308);
  assert.equal(redirect.headers.location, `https://secure.test:${controller.httpsPort}/s?q=1`);
  // A name without a certificate gets the fake default one (the handshake itself is what we check).
  const other = await new Promise<string>((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: controller.httpsPort, servername: 'a.test', headers: { host: 'a.test' }, rejectUnauthorized: false, agent: false }, (res) => {
      resolve(String((res.socket as TLSSocket).getPeerCertificate().subject.CN));
      res.resume();
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(other, 'Kubernetes Ingress Controller Fake Certificate');
});

test('WebSocket upgrade passes through to the backend', { skip: !canRun && 'needs root and iproute2' }, async () => {
  await routed(controller.httpPort, 'a.test', '/', 'api');
  const { WebSocket } = require('ws') as typeof import('ws');
  const ws = new WebSocket(`ws://127.0.0.1:${controller.httpPort}/socket`, { headers: { host: 'a.test' } });
  const echoed = await new Promise<string>((resolve, reject) => {
    ws.on('open', () => ws.send('ping'));
    ws.on('message', (m) => resolve(String(m)));
    ws.on('error', reject);
  });
  ws.close();
  assert.equal(echoed, 'api:ping');
});

test('a missing Service answers 503 on its path only, with a ServiceNotFound Event; unknown annotations get an Event', { skip: !canRun && 'needs root and iproute2' }, async () => {
  server.kubectlOk(['apply', '-f', '-'], {
    input: `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: partial
  namespace: ${NS}
  annotations: {nginx.ingress.kubernetes.io/proxy-body-size: 8m}
spec:
  rules:
  - host: partial.test
    http:
      paths:
      - {path: /ghost, pathType: Prefix, backend: {service: {name: ghost, port: {number: 80}}}}
      - {path: /ok, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /badport, pathType: Prefix, backend: {service: {name: web, port: {number: 81}}}}
`,
  });
  const http = controller.httpPort;
  await routed(http, 'partial.test', '/ok', 'web');
  assert.equal((await get(http, 'partial.test', '/ghost')).status, 503);
  assert.equal((await get(http, 'partial.test', '/badport')).status, 503);
  const reasons = await until('events', async () => {
    const out = server.kubectlOk(['get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=partial', '-o', 'jsonpath={range .items[*]}{.reason}={.message}{"\\n"}{end}']);
    return out.includes('ServiceNotFound') && out.includes('UnsupportedAnnotation') && out.includes('ServicePortNotFound') ? out : undefined;
  });
  assert.match(reasons, /ServiceNotFound=Service "ing-e2e\/ghost" not found/);
  assert.match(reasons, /UnsupportedAnnotation=.*nginx\.ingress\.kubernetes\.io\/proxy-body-size/);
  // Once the Service exists (with endpoints), the path is served.
  const ghost = backends.find((b) => b.name === 'web')!;
  server.kubectlOk(['apply', '-f', '-'], { input: serviceAndSlice('ghost', ghost.ip) });
  await routed(http, 'partial.test', '/ghost', 'web');
});

test('endpoints change: nginx reloads and serves the new endpoint; a request in flight finishes on the old one', { skip: !canRun && 'needs root and iproute2' }, async () => {
  const http = controller.httpPort;
  const [api, web] = [backends.find((b) => b.name === 'api')!, backends.find((b) => b.name === 'web')!];
  await routed(http, 'a.test', '/', 'api');
  const reloads = controller.dataPlane!.reloads;
  const inFlight = get(http, 'a.test', '/slow');
  await new Promise((r) => setTimeout(r, 300));
  try {
    // The Service's endpoint moves to the web backend: the upstream changes, so nginx reloads.
    server.kubectlOk(['apply', '-f', '-'], { input: serviceAndSlice('api', web.ip) });
    await routed(http, 'a.test', '/', 'web', 30_000);
    // New workers may answer before apply() has seen the old ones stop accepting and counted the reload.
    await until('the reload counted', async () => (controller.dataPlane!.reloads > reloads ? true : undefined), 30_000);
    const slow = await inFlight;
    assert.equal(slow.status, 200);
    assert.equal(JSON.parse(slow.body).name, 'api');
  } finally {
    server.kubectlOk(['apply', '-f', '-'], { input: serviceAndSlice('api', api.ip) });
  }
  await routed(http, 'a.test', '/', 'api', 30_000);
});

test('a path nginx cannot compile: ConfigurationRejected Event on that Ingress, the others keep being served', { skip: !canRun && 'needs root and iproute2' }, async () => {
  // JavaScript reads a trailing \\c as a literal; PCRE refuses it, so only nginx -t finds the problem.
  server.kubectlOk(['apply', '-f', '-'], {
    input: `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: bad-regex
  namespace: ${NS}
  annotations: {nginx.ingress.kubernetes.io/use-regex: "true"}
spec:
  rules:
  - host: bad.test
    http: {paths: [{path: '/x\\c', pathType: ImplementationSpecific, backend: {service: {name: web, port: {number: 80}}}}]}
`,
  });
  const message = await until('ConfigurationRejected event', async () => {
    const out = server.kubectlOk(['get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=bad-regex,reason=ConfigurationRejected', '-o', 'jsonpath={.items[*].message}']);
    return out || undefined;
  }, 30_000);
  assert.match(message, /not served/);
  await routed(controller.httpPort, 'b.test', '/', 'web', 30_000);
  assert.equal((await get(controller.httpPort, 'bad.test', '/x')).status, 404);
  assert.equal(controller.dataPlane!.condition.status, 'True');
  server.kubectlOk(['delete', 'ingress', 'bad-regex', '-n', NS]);
});

test('nginx killed: the controller restarts it on the last configuration and records NginxExited Events', { skip: !canRun && 'needs root and iproute2' }, async () => {
  const supervisor = controller.dataPlane!.supervisor;
  const master = supervisor.pid!;
  process.kill(master, 'SIGKILL');
  await until('a new nginx master', async () => (supervisor.pid && supervisor.pid !== master ? true : undefined), 30_000);
  await routed(controller.httpPort, 'a.test', '/', 'api', 30_000);
  assert.equal(supervisor.restarts, 1);
  const reasons = await until('NginxExited event', async () => {
    const out = server.kubectlOk(['get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=hosts,reason=NginxExited', '-o', 'jsonpath={.items[*].message}']);
    return out || undefined;
  });
  assert.match(reasons, /nginx exited \(code null, signal SIGKILL\)/);
});

test('stopping the controller stops nginx and its workers', { skip: !canRun && 'needs root and iproute2' }, async () => {
  const master = controller.dataPlane!.supervisor.pid!;
  const workers = controller.dataPlane!.supervisor.workerPids();
  assert.ok(workers.length > 0);
  await controller.stop();
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  await until('nginx gone', async () => ([master, ...workers].some(alive) ? undefined : true));
  assert.deepEqual(processesMentioning(join(server.dataDir, 'ingress')), []);
});
