// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IngressBackend, IngressSpec } from 'kubernetes-types/networking/v1.js';
import { buildRouteTable, normalizeHost, prefixMatches, rewrite } from './route-table.js';
import { isOurIngress, newIngressClass, type IngressObj } from './ingress-class.js';
import { Upstream } from './upstream.js';
import { BackendResolver } from './backend-resolver.js';

function ing(name: string, spec: IngressSpec, annotations: Record<string, string> = {}, created = '2024-01-01T00:00:00Z'): IngressObj {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'default', uid: name, annotations, creationTimestamp: created }, spec };
}

function svc(name: string, port = 80): IngressBackend {
  return { service: { name, port: { number: port } } };
}

/** resolveByName gives every Service one endpoint whose host is the Service name, so matches are easy to read. */
function resolveByName(_ns: string, b: IngressBackend): Upstream {
  return new Upstream(b.service!.name, [{ host: b.service!.name, port: b.service!.port?.number ?? 0 }]);
}

function route(ings: IngressObj[], host: string, url: string): string {
  const { table } = buildRouteTable({ ingresses: ings, resolve: resolveByName });
  const m = table.match(host, url);
  return m ? `${m.target.upstream.key} ${m.path}` : '404';
}

test('the tutorial manifest: regex paths with rewrite-target /$1', () => {
  const tutorial = ing(
    'ingress-service',
    {
      ingressClassName: 'nginx',
      rules: [{ http: { paths: [
        { path: '/?(.*)', pathType: 'ImplementationSpecific', backend: svc('client-cluster-ip-service', 3000) },
        { path: '/api/?(.*)', pathType: 'ImplementationSpecific', backend: svc('server-cluster-ip-service', 5000) },
      ] } }],
    },
    { 'kubernetes.io/ingress.class': 'nginx', 'nginx.ingress.kubernetes.io/use-regex': 'true', 'nginx.ingress.kubernetes.io/rewrite-target': '/$1' },
  );
  assert.equal(route([tutorial], 'anything.example', '/api/values/all'), 'server-cluster-ip-service /values/all');
  assert.equal(route([tutorial], '', '/api/values/current?x=1'), 'server-cluster-ip-service /values/current?x=1');
  assert.equal(route([tutorial], '', '/'), 'client-cluster-ip-service /');
  assert.equal(route([tutorial], '', '/static/js/main.js'), 'client-cluster-ip-service /static/js/main.js');
  // nginx's `~*` is case-insensitive.
  assert.equal(route([tutorial], '', '/API/x'), 'server-cluster-ip-service /x');
});

test('hosts: exact beats a one-label wildcard beats rules without a host', () => {
  const i = ing('hosts', {
    rules: [
      { host: 'foo.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: svc('foo') }] } },
      { host: '*.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: svc('wild') }] } },
      { http: { paths: [{ path: '/', pathType: 'Prefix', backend: svc('any') }] } },
    ],
  });
  assert.equal(route([i], 'FOO.example.com:8080', '/x'), 'foo /x');
  assert.equal(route([i], 'bar.example.com', '/x'), 'wild /x');
  assert.equal(route([i], 'a.bar.example.com', '/x'), 'any /x');
  assert.equal(route([i], 'example.com', '/x'), 'any /x');
  assert.equal(normalizeHost('[::1]:80'), '[::1]');
});

test('paths: Exact first, then the longest element-wise Prefix', () => {
  const i = ing('paths', {
    rules: [{ host: 'h', http: { paths: [
      { path: '/', pathType: 'Prefix', backend: svc('root') },
      { path: '/foo', pathType: 'Prefix', backend: svc('foo') },
      { path: '/foo/bar', pathType: 'ImplementationSpecific', backend: svc('foobar') },
      { path: '/foo', pathType: 'Exact', backend: svc('exact') },
    ] } }],
  });
  assert.equal(route([i], 'h', '/foo'), 'exact /foo');
  assert.equal(route([i], 'h', '/foo/'), 'foo /foo/');
  assert.equal(route([i], 'h', '/foobar'), 'root /foobar');
  assert.equal(route([i], 'h', '/foo/bar/baz?q'), 'foobar /foo/bar/baz?q');
  assert.equal(route([i], 'other', '/foo'), '404');
  assert.ok(prefixMatches('/foo/', '/foo'));
  assert.ok(!prefixMatches('/foo', '/fo'));
});

test('defaultBackend: a host without a matching path uses its Ingress default, others the cluster default', () => {
  const a = ing('a', { defaultBackend: svc('a-default'), rules: [{ host: 'a', http: { paths: [{ path: '/x', pathType: 'Prefix', backend: svc('ax') }] } }] });
  const global = ing('global', { defaultBackend: svc('global') });
  assert.equal(route([a, global], 'a', '/y'), 'a-default /y');
  assert.equal(route([a, global], 'b', '/y'), 'global /y');
  assert.equal(route([a], 'b', '/y'), '404');
});

test('the oldest Ingress wins a duplicate path; paths of several Ingresses merge', () => {
  const older = ing('older', { rules: [{ host: 'h', http: { paths: [{ path: '/a', pathType: 'Prefix', backend: svc('old') }] } }] }, {}, '2024-01-01T00:00:00Z');
  const newer = ing('newer', { rules: [{ host: 'h', http: { paths: [{ path: '/a', pathType: 'Prefix', backend: svc('new') }, { path: '/b', pathType: 'Prefix', backend: svc('b') }] } }] }, {}, '2024-02-01T00:00:00Z');
  assert.equal(route([newer, older], 'h', '/a'), 'old /a');
  assert.equal(route([newer, older], 'h', '/b'), 'b /b');
});

test('rewrite keeps the query and substitutes missing captures with nothing', () => {
  assert.equal(rewrite('/$1', /^\/api\/?(.*)/i.exec('/api/v'), '/api/v', 'a=1'), '/v?a=1');
  assert.equal(rewrite('/x?y=2', null, '/p', 'a=1'), '/x?y=2&a=1');
  assert.equal(rewrite('/$2', /^\/(a)/.exec('/a'), '/a', ''), '/');
  assert.equal(rewrite(undefined, null, '/p', ''), '/p');
});

test('ssl-redirect defaults on for TLS hosts and can be turned off; problems are reported', () => {
  const tls = ing('tls', { tls: [{ hosts: ['s'], secretName: 'cert' }], rules: [{ host: 's', http: { paths: [{ path: '/', pathType: 'Prefix', backend: svc('s') }] } }, { host: 'p', http: { paths: [{ path: '/', pathType: 'Prefix', backend: svc('p') }] } }] });
  const { table } = buildRouteTable({ ingresses: [tls], resolve: resolveByName });
  assert.equal(table.match('s', '/')!.target.sslRedirect, true);
  assert.equal(table.match('p', '/')!.target.sslRedirect, false);
  assert.deepEqual([...table.tls.keys()], ['s']);
  const off = ing('off', tls.spec!, { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false', 'nginx.ingress.kubernetes.io/auth-url': 'http://x', 'alb.ingress.kubernetes.io/scheme': 'internet-facing' });
  const built = buildRouteTable({ ingresses: [off], resolve: resolveByName });
  assert.equal(built.table.match('s', '/')!.target.sslRedirect, false);
  assert.deepEqual(built.problems.map((p) => [p.reason, p.message]), [['UnsupportedAnnotation', 'annotations not supported by the skiff ingress controller, ignored: alb.ingress.kubernetes.io/scheme, nginx.ingress.kubernetes.io/auth-url']]);
});

test('backends: missing Service and missing port become 503 problems; ready endpoints only', () => {
  const resolver = new BackendResolver({
    service: (_ns, name) => (name === 'web' ? { spec: { ports: [{ name: 'http', port: 80 }] } } : undefined),
    slices: () => [
      { addressType: 'IPv4', ports: [{ name: 'http', port: 8080 }], endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'], conditions: { ready: false } }, { addresses: ['10.0.0.3'], conditions: { ready: true } }] },
    ] as never,
  });
  const i = ing('b', { rules: [{ http: { paths: [
    { path: '/web', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } },
    { path: '/byport', pathType: 'Prefix', backend: svc('web', 80) },
    { path: '/nope', pathType: 'Prefix', backend: svc('nope') },
    { path: '/badport', pathType: 'Prefix', backend: svc('web', 81) },
  ] } }] });
  const { table, problems } = buildRouteTable({ ingresses: [i], resolve: (ns, b) => resolver.resolve(ns, b) });
  const up = table.match('', '/web')!.target.upstream;
  assert.deepEqual([up.next(), up.next(), up.next()].map((e) => `${e!.host}:${e!.port}`), ['10.0.0.1:8080', '10.0.0.3:8080', '10.0.0.1:8080']);
  assert.equal(table.match('', '/byport')!.target.upstream.endpoints.length, 2);
  assert.deepEqual(problems.map((p) => p.reason), ['ServiceNotFound', 'ServicePortNotFound']);
  assert.equal(problems[0].message, 'Service "default/nope" not found');
});

test('an invalid regex path is dropped with a problem, the rest of the host keeps working', () => {
  const i = ing('re', { rules: [{ http: { paths: [{ path: '/(', pathType: 'ImplementationSpecific', backend: svc('bad') }, { path: '/ok', pathType: 'ImplementationSpecific', backend: svc('ok') }] } }] }, { 'nginx.ingress.kubernetes.io/use-regex': 'true' });
  const { table, problems } = buildRouteTable({ ingresses: [i], resolve: resolveByName });
  assert.equal(table.match('', '/ok/1')!.target.upstream.key, 'ok');
  assert.equal(problems[0].reason, 'InvalidPath');
});

test('class: skiff and nginx are ours, by name or annotation; classless ones when we are default', () => {
  const ours = newIngressClass();
  const other = { metadata: { name: 'traefik', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }, spec: { controller: 'traefik.io/ingress-controller' } };
  const mk = (spec: IngressSpec, a: Record<string, string> = {}): IngressObj => ing('c', spec, a);
  assert.ok(isOurIngress(mk({ ingressClassName: 'skiff' }), [ours]));
  assert.ok(isOurIngress(mk({ ingressClassName: 'nginx' }), []));
  assert.ok(isOurIngress(mk({}, { 'kubernetes.io/ingress.class': 'nginx' }), []));
  assert.ok(!isOurIngress(mk({ ingressClassName: 'traefik' }), [ours, other]));
  assert.ok(!isOurIngress(mk({ ingressClassName: 'skiff' }, { 'kubernetes.io/ingress.class': 'traefik' }), [ours]));
  assert.ok(isOurIngress(mk({}), [ours]));
  assert.ok(isOurIngress(mk({}), []));
  assert.ok(!isOurIngress(mk({}), [other]));
});
