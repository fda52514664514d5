// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IngressBackend, IngressSpec } from 'kubernetes-types/networking/v1.js';
import { locationsOf, quote, renderNginxConfig, serverName } from './nginx-config.js';
import { buildRouteTable, type PathRoute } from './route-table.js';
import { Upstream } from './upstream.js';
import type { IngressObj } from './ingress-class.js';
import { selfSignedCertificate } from './default-certificate.js';
import { skipWithoutNginx } from './nginx-test-support.js';


function ing(name: string, spec: IngressSpec, annotations: Record<string, string> = {}): IngressObj {
  return { metadata: { name, namespace: 'default', uid: name, annotations, creationTimestamp: '2024-01-01T00:00:00Z' }, spec };
}

function svc(name: string): IngressBackend {
  return { service: { name, port: { number: 80 } } };
}

/** resolve gives every Service one endpoint, except `ghost`, which does not exist. */
function resolve(_ns: string, b: IngressBackend): Upstream {
  const name = b.service!.name;
  if (name === 'ghost') return new Upstream(name, [], { reason: 'ServiceNotFound', message: 'not found' });
  return new Upstream(name, [{ host: name === 'v6' ? 'fd00::1' : '10.0.0.1', port: 8080 }]);
}

function render(ings: IngressObj[], httpsPort = 443): string {
  const { table } = buildRouteTable({ ingresses: ings, resolve });
  return renderNginxConfig({ table, bindAddress: '0.0.0.0', httpPort: 80, httpsPort, dir: '/d', certificatePath: (h) => `/d/certs/${h || 'default'}.pem` }).text;
}

/** block returns the text of the `location HEAD { ... }` in a config. */
function block(text: string, head: string): string {
  const start = text.indexOf(`location ${head} {`);
  assert.ok(start >= 0, `no location ${head} in:\n${text}`);
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return text.slice(start);
}

test('locations: Exact is `=`, Prefix is an element-wise pair, `/` is the catch-all, regex mode is `~*` anchored', () => {
  const r = (path: string, pathType: PathRoute['pathType']): PathRoute => ({ path, pathType } as PathRoute);
  assert.deepEqual(locationsOf(r('/foo', 'Exact'), false), ['= "/foo"']);
  assert.deepEqual(locationsOf(r('/foo', 'Prefix'), false), ['"/foo/"', '= "/foo"']);
  assert.deepEqual(locationsOf(r('/foo/', 'ImplementationSpecific'), false), ['"/foo/"', '= "/foo"']);
  assert.deepEqual(locationsOf(r('/', 'Prefix'), false), ['/']);
  assert.deepEqual(locationsOf(r('/api/?(.*)', 'ImplementationSpecific'), true), ['~* "^/api/?(.*)"']);
});

test('quoting: backslashes and quotes are escaped as nginx unescapes them, control characters refused', () => {
  assert.equal(quote('/a"b\\d'), '"/a\\"b\\\\d"');
  assert.throws(() => quote('/a\nb'), /control character/);
  assert.equal(serverName('*.example.com'), '"~^[^.]+\\\\.example\\\\.com$"');
  assert.equal(serverName('foo.example.com'), 'foo.example.com');
});

test('an Exact and a Prefix on one path, and /foo beside /foo/, render without duplicate locations', () => {
  const text = render([ing('p', { rules: [{ host: 'h', http: { paths: [
    { path: '/foo', pathType: 'Prefix', backend: svc('prefix') },
    { path: '/foo/', pathType: 'Prefix', backend: svc('slash') },
    { path: '/foo', pathType: 'Exact', backend: svc('exact') },
  ] } }] })]);
  const heads = text.slice(text.indexOf('server_name h;')).split('\n').filter((l) => l.trim().startsWith('location')).map((l) => l.trim());
  assert.equal(new Set(heads).size, heads.length, heads.join('\n'));
  assert.match(text, /# exact\n\s+upstream upstream_0/);
  assert.match(block(text, '= "/foo"'), /proxy_pass http:\/\/upstream_0;/);
  // The longer rule (/foo/) comes first in the table and takes the shared location, as RouteTable.match prefers it.
  assert.match(block(text, '"/foo/"'), /proxy_pass http:\/\/upstream_2;/);
  assert.match(text, /# slash\n\s+upstream upstream_2/);
});

test('regex hosts: rewrite-target, longest path first; redirect before rewrite; 503 without endpoints; IPv6 upstreams', () => {
  const text = render([ing('t', { tls: [{ hosts: ['t.test'], secretName: 's' }], rules: [{ host: 't.test', http: { paths: [
    { path: '/?(.*)', pathType: 'ImplementationSpecific', backend: svc('v6') },
    { path: '/api/?(.*)', pathType: 'ImplementationSpecific', backend: svc('api') },
    { path: '/ghost', pathType: 'ImplementationSpecific', backend: svc('ghost') },
  ] } }] }, { 'nginx.ingress.kubernetes.io/rewrite-target': '/$1' })], 8443);
  const server = text.slice(text.indexOf('server_name t.test;'));
  const order = [...server.matchAll(/location (~\* "[^"]+")/g)].map((m) => m[1]);
  assert.deepEqual(order, ['~* "^/api/?(.*)"', '~* "^/?(.*)"', '~* "^/ghost"']);
  const api = block(server, '~* "^/api/?(.*)"');
  assert.ok(api.indexOf('return 308 https://$host:8443$request_uri;') < api.indexOf('rewrite "(?i)^/api/?(.*)" "/$1" break;'));
  assert.match(block(server, '~* "^/ghost"'), /return 503 "503 Service Temporarily Unavailable\\n";/);
  assert.match(text, /server \[fd00::1\]:8080 max_fails=0;/);
  assert.match(server, /ssl_certificate "\/d\/certs\/t\.test\.pem";/);
  assert.doesNotMatch(text, /ghost\n\s+upstream/);
});

test('servers: wildcard hosts match one label; the default server takes host-less rules, else the cluster default, else 404', () => {
  const text = render([
    ing('w', { rules: [{ host: '*.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: svc('wild') }] } }] }),
    ing('d', { defaultBackend: svc('global') }),
  ]);
  assert.match(text, /server_name "~\^\[\^\.\]\+\\\\\.example\\\\\.com\$";/);
  const dflt = text.slice(text.lastIndexOf('server {', text.indexOf('server_name _;')), text.indexOf('server_name "~'));
  assert.match(dflt, /listen 0\.0\.0\.0:80 default_server;\n\s+listen 0\.0\.0\.0:443 ssl default_server;/);
  assert.match(block(dflt, '/'), /proxy_pass http:\/\/upstream_\d;/);
  assert.match(block(render([]), '/'), /return 404 "default backend - 404\\n";/);
});

test('owners: each location line names the Ingress that produced it; a path with a control character is skipped and reported', () => {
  const { table } = buildRouteTable({ ingresses: [ing('a', { rules: [{ host: 'a', http: { paths: [{ path: '/x', pathType: 'Exact', backend: svc('x') }, { path: '/bad\u0001', pathType: 'Exact', backend: svc('x') }] } }] })], resolve });
  const out = renderNginxConfig({ table, bindAddress: '127.0.0.1', httpPort: 80, httpsPort: 443, dir: '/d', certificatePath: () => '/d/c.pem' });
  const line = out.text.split('\n').findIndex((l) => l.includes('location = "/x"'));
  assert.equal(out.owners[line], 'default/a');
  assert.deepEqual(out.skipped.map((s) => s.ingress), ['default/a']);
});

test('nginx -t accepts the rendered configuration of a table using every feature', { skip: skipWithoutNginx }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-nginx-config-'));
  try {
    mkdirSync(join(dir, 'tmp'));
    const pair = await selfSignedCertificate();
    writeFileSync(join(dir, 'c.pem'), `${pair.cert}\n${pair.key}\n`, { mode: 0o600 });
    const { table } = buildRouteTable({ resolve, ingresses: [
      ing('re', { tls: [{ hosts: ['re.test'], secretName: 's' }], rules: [{ host: 're.test', http: { paths: [{ path: '/a{2}"\\d+;', pathType: 'ImplementationSpecific', backend: svc('a') }] } }] }, { 'nginx.ingress.kubernetes.io/rewrite-target': '/$1?x=$2' }),
      ing('plain', { defaultBackend: svc('ghost'), rules: [{ host: '*.w.test', http: { paths: [{ path: '/p', pathType: 'Prefix', backend: svc('v6') }, { path: '/e', pathType: 'Exact', backend: svc('ghost') }] } }, { http: { paths: [{ path: '/', pathType: 'Prefix', backend: svc('b') }] } }] }),
    ] });
    const { text } = renderNginxConfig({ table, bindAddress: '127.0.0.1', httpPort: 1080, httpsPort: 1443, dir, certificatePath: () => join(dir, 'c.pem') });
    writeFileSync(join(dir, 'nginx.conf'), text);
    execFileSync('nginx', ['-t', '-q', '-p', `${dir}/`, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')], { stdio: 'pipe' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
