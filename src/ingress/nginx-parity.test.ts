// SPDX-License-Identifier: Apache-2.0
/**
 * nginx answers what RouteTable.match answers: the route table's own
 * scenarios (route-table.test.ts) rendered, applied to a real nginx on
 * loopback and requested, against the table's answer for the same request.
 * Backends are HTTP servers on 127.0.0.1 answering `service url`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IngressBackend, IngressSpec } from 'kubernetes-types/networking/v1.js';
import { NginxDataPlane } from './nginx-data-plane.js';
import { buildRouteTable, RouteTable } from './route-table.js';
import { TLSStore } from './tls-store.js';
import { Upstream } from './upstream.js';
import { selfSignedCertificate } from './default-certificate.js';
import type { IngressObj } from './ingress-class.js';
import { skipWithoutNginx } from './nginx-test-support.js';

const skip = skipWithoutNginx;

const backends = new Map<string, Server>();
let dir: string;
let plane: NginxDataPlane;
let tls: TLSStore;

async function backendPort(name: string): Promise<number> {
  let s = backends.get(name);
  if (!s) {
    s = createServer((req, res) => res.end(`${name} ${req.url}`));
    backends.set(name, s);
    await new Promise<void>((r) => s!.listen(0, '127.0.0.1', r));
  }
  return (s.address() as AddressInfo).port;
}

function ing(name: string, spec: IngressSpec, annotations: Record<string, string> = {}): IngressObj {
  return { metadata: { name, namespace: 'default', uid: name, annotations, creationTimestamp: '2024-01-01T00:00:00Z' }, spec };
}

function svc(name: string): IngressBackend {
  return { service: { name, port: { number: 80 } } };
}

function fetchVia(port: number, host: string, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: url, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve(res.statusCode === 200 ? body : String(res.statusCode)));
    });
    req.on('error', reject);
    req.end();
  });
}

/** expected is the table's answer in the shape fetchVia reports nginx's. */
function expected(table: RouteTable, host: string, url: string): string {
  const m = table.match(host, url);
  if (!m) return '404';
  if (m.target.sslRedirect) return '308';
  if (m.target.upstream.problem) return '503';
  return `${m.target.upstream.key} ${m.path}`;
}

/** check applies the Ingresses and compares nginx with the table on every request. */
async function check(ingresses: IngressObj[], requests: [host: string, url: string][]): Promise<void> {
  const names = new Set(ingresses.flatMap((i) => [i.spec?.defaultBackend, ...(i.spec?.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => p.backend))]).map((b) => b?.service?.name ?? ''));
  const ports = new Map<string, number>();
  for (const n of names) if (n && n !== 'ghost') ports.set(n, await backendPort(n));
  const resolve = (_ns: string, b: IngressBackend): Upstream =>
    b.service!.name === 'ghost' ? new Upstream('ghost', [], { reason: 'ServiceNotFound', message: 'gone' }) : new Upstream(b.service!.name, [{ host: '127.0.0.1', port: ports.get(b.service!.name)! }]);
  const { table } = buildRouteTable({ ingresses, resolve });
  tls.update(table.tls, () => undefined);
  const result = await plane.apply(table, tls);
  assert.equal(result.error, undefined);
  // apply() returns once only workers on the new configuration accept connections.
  for (const [host, url] of requests) assert.equal(await fetchVia(plane.httpPort, host, url), expected(table, host, url), `${host} ${url}`);
}

before(async () => {
  if (skipWithoutNginx) return;
  dir = mkdtempSync(join(tmpdir(), 'skiff-nginx-parity-'));
  tls = new TLSStore(await selfSignedCertificate());
  plane = new NginxDataPlane({ dir, httpPort: 0, httpsPort: 0, bindAddress: '127.0.0.1', workerProcesses: 1 });
  await plane.start(new RouteTable(new Map(), new Map()), tls);
});

after(async () => {
  await plane?.stop();
  for (const s of backends.values()) s.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the tutorial: regex paths, rewrite-target /$1, case-insensitive, query kept', { skip }, async () => {
  const tutorial = ing('t', { rules: [{ http: { paths: [
    { path: '/?(.*)', pathType: 'ImplementationSpecific', backend: svc('client') },
    { path: '/api/?(.*)', pathType: 'ImplementationSpecific', backend: svc('server') },
  ] } }] }, { 'nginx.ingress.kubernetes.io/use-regex': 'true', 'nginx.ingress.kubernetes.io/rewrite-target': '/$1' });
  await check([tutorial], [['anything.example', '/api/values/all'], ['x', '/api/values/current?x=1'], ['x', '/'], ['x', '/static/js/main.js'], ['x', '/API/x']]);
});

test('hosts: exact, then a one-label wildcard, then rules without a host; ports and case ignored', { skip }, async () => {
  const hosts = ing('h', { rules: [
    { host: 'foo.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: svc('foo') }] } },
    { host: '*.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: svc('wild') }] } },
    { http: { paths: [{ path: '/', pathType: 'Prefix', backend: svc('any') }] } },
  ] });
  await check([hosts], [['FOO.example.com:8080', '/x'], ['bar.example.com', '/x'], ['a.bar.example.com', '/x'], ['example.com', '/x']]);
});

test('paths: Exact, then the longest element-wise Prefix; defaultBackends; 503 and ssl-redirect', { skip }, async () => {
  const paths = ing('p', { defaultBackend: svc('p-default'), tls: [{ hosts: ['s'], secretName: 'missing' }], rules: [
    { host: 'h', http: { paths: [
      { path: '/', pathType: 'Prefix', backend: svc('root') },
      { path: '/foo', pathType: 'Prefix', backend: svc('foo') },
      { path: '/foo/bar', pathType: 'ImplementationSpecific', backend: svc('foobar') },
      { path: '/foo', pathType: 'Exact', backend: svc('exact') },
      { path: '/gone', pathType: 'Prefix', backend: svc('ghost') },
    ] } },
    { host: 'd', http: { paths: [{ path: '/x', pathType: 'Prefix', backend: svc('dx') }] } },
    { host: 's', http: { paths: [{ path: '/', pathType: 'Prefix', backend: svc('secure') }] } },
  ] });
  const global = ing('g', { defaultBackend: svc('global') });
  await check([paths, global], [
    ['h', '/foo'], ['h', '/foo/'], ['h', '/foobar'], ['h', '/foo/bar/baz?q'], ['h', '/gone/1'],
    ['d', '/x/1'], ['d', '/y'], ['other', '/y'], ['s', '/a?b=1'],
  ]);
});
