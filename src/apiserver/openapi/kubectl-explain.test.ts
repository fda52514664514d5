// SPDX-License-Identifier: Apache-2.0
/**
 * Proves the OpenAPI documents satisfy the real kubectl: a throwaway HTTP
 * server answers /version, legacy discovery, /openapi/v2 (JSON or protobuf)
 * and /openapi/v3, and creates objects with the server-side strict field
 * validation that kubectl asks for. Skipped when kubectl is not installed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promisify } from 'node:util';
import { RESOURCES, apiVersionOf, servedGroups } from '../../api/resources.js';
import { findUnknownFields, openAPIV2For, openAPIV3IndexJson, openAPIV3Json } from './index.js';

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';

function send(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
}

function status(code: number, reason: string, message: string): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function resourceList(groupVersion: string): object | undefined {
  const rows = RESOURCES.filter((r) => apiVersionOf(r) === groupVersion);
  if (rows.length === 0) return undefined;
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion,
    resources: rows.map((r) => ({ name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs, shortNames: r.shortNames, categories: r.categories })),
  };
}

function groupList(): object {
  const groups = servedGroups().filter((g) => g.group !== '').map((g) => {
    const versions = g.versions.map((v) => ({ groupVersion: `${g.group}/${v}`, version: v }));
    return { name: g.group, versions, preferredVersion: versions[0] };
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** serveOpenAPI answers /openapi/*; it is the behaviour the real apiserver needs. */
function serveOpenAPI(req: IncomingMessage, url: URL, res: ServerResponse): void {
  if (url.pathname === '/openapi/v2') {
    // kubectl asks for gnostic protobuf when it validates client-side (a List, for one).
    const v2 = openAPIV2For(req.headers.accept);
    if (!v2) return send(res, 406, status(406, 'NotAcceptable', 'not acceptable'));
    return send(res, 200, v2.rendered.body, { 'content-type': v2.contentType, etag: v2.rendered.etag });
  }
  if (url.pathname === '/openapi/v3') {
    const idx = openAPIV3IndexJson();
    return send(res, 200, idx.body, { etag: idx.etag });
  }
  const doc = openAPIV3Json(url.pathname.slice('/openapi/v3/'.length));
  if (!doc) return send(res, 404, status(404, 'NotFound', 'not found'));
  const hash = url.searchParams.get('hash');
  if (hash && hash !== doc.hash) {
    res.writeHead(301, { location: `${url.pathname}?hash=${doc.hash}` });
    return void res.end();
  }
  send(res, 200, doc.body, { etag: doc.etag, ...(hash ? { 'cache-control': 'public, immutable' } : {}) });
}

/** create answers a POST to a collection, enforcing fieldValidation=Strict with upstream's message. */
function create(url: URL, body: string, res: ServerResponse): void {
  const obj = JSON.parse(body) as { apiVersion: string; kind: string };
  if (url.searchParams.get('fieldValidation') === 'Strict') {
    const unknown = findUnknownFields(obj.apiVersion, obj.kind, obj);
    if (unknown.length > 0) {
      const version = obj.apiVersion.split('/').pop();
      const detail = unknown.map((f) => `unknown field "${f}"`).join(', ');
      return send(res, 400, status(400, 'BadRequest', `${obj.kind} in version "${version}" cannot be handled as a ${obj.kind}: strict decoding error: ${detail}`));
    }
  }
  send(res, 201, obj);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (d: Buffer) => (body += d.toString()));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const p = url.pathname;
    if (p === '/version') return send(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0' });
    if (p === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (p === '/apis') return send(res, 200, groupList());
    if (p.startsWith('/openapi/')) return serveOpenAPI(req, url, res);
    const list = resourceList(p.replace(/^\/apis?\//, ''));
    if (list) return send(res, 200, list);
    if (req.method === 'POST') return create(url, body, res);
    send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
  });
}

describe('kubectl against the OpenAPI documents', { skip: !hasKubectl() }, () => {
  let server: Server;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    dir = mkdtempSync(join(tmpdir(), 'skiff-openapi-'));
    writeFileSync(join(dir, 'kubeconfig'), [
      'apiVersion: v1', 'kind: Config', 'current-context: t',
      `clusters: [{name: t, cluster: {server: "http://127.0.0.1:${port}"}}]`,
      'contexts: [{name: t, context: {cluster: t, user: t, namespace: default}}]',
      'users: [{name: t, user: {token: test}}]',
    ].join('\n'));
    env = { ...process.env, HOME: dir, KUBECONFIG: join(dir, 'kubeconfig') };
  });

  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const kubectl = (...args: string[]) => run(KUBECTL, [...args, '--cache-dir', join(dir, 'cache')], { env, timeout: 60_000 });

  it('explains a nested field from the v3 document', async () => {
    const { stdout } = await kubectl('explain', 'deployment.spec.strategy');
    assert.match(stdout, /GROUP:\s+apps/);
    assert.match(stdout, /FIELD: strategy <DeploymentStrategy>/);
    assert.match(stdout, /The deployment strategy to use to replace existing pods with new ones/);
    assert.match(stdout, /rollingUpdate\s+<RollingUpdateDeployment>/);
  });

  it('explains required fields, integers and int-or-string', async () => {
    const ports = await kubectl('explain', 'pods.spec.containers.ports');
    assert.match(ports.stdout, /containerPort\s+<integer> -required-/);
    const probe = await kubectl('explain', 'pod.spec.containers.livenessProbe.httpGet.port');
    assert.match(probe.stdout, /FIELD: port <IntOrString>/);
  });

  it('gets the unknown field rejected by server-side strict validation', async () => {
    const manifest = join(dir, 'bad.yaml');
    writeFileSync(manifest, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicasx: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n');
    await assert.rejects(kubectl('apply', '--validate=strict', '-f', manifest), (err: { stderr: string }) => {
      assert.match(err.stderr, /strict decoding error: unknown field "spec.replicasx"/);
      return true;
    });
  });

  it('validates a List client-side from the protobuf v2 document', async () => {
    const good = join(dir, 'list.yaml');
    writeFileSync(good, 'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: {k: v}}\n');
    const { stdout } = await kubectl('apply', '-f', good);
    assert.match(stdout, /configmap\/a created/);
    const bad = join(dir, 'bad-list.yaml');
    writeFileSync(bad, 'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}, datta: {k: v}}\n');
    await assert.rejects(kubectl('apply', '-f', bad), (err: { stderr: string }) => {
      assert.match(err.stderr, /unknown field "datta" in io\.k8s\.api\.core\.v1\.ConfigMap/);
      return true;
    });
  });

  it('applies a manifest without unknown fields', async () => {
    const manifest = join(dir, 'good.yaml');
    writeFileSync(manifest, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: fast}\n');
    const { stdout } = await kubectl('apply', '--validate=strict', '-f', manifest);
    assert.match(stdout, /configmap\/settings created/);
  });
});

function hasKubectl(): boolean {
  return existsSync(KUBECTL);
}
