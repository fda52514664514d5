// SPDX-License-Identifier: Apache-2.0
/**
 * API aggregation end to end with the real kubectl: a real `skiff server`
 * lists Local APIServices for what it serves (metrics.k8s.io included); an
 * extension API server (HTTPS, in this process) registered by an APIService
 * whose Service has manual Endpoints is reached through the Skiff API server
 * (`kubectl get`, `api-resources`, `get --raw`, watch, explain through the
 * linked OpenAPI v3 document, its swagger 2.0 document merged into
 * /openapi/v2) with the caller's identity in front-proxy
 * headers it verifies; the Available condition follows a missing Service,
 * missing endpoints, a failing discovery check and recovery, with upstream's
 * reasons and the 503 of an unavailable API; a remote registration of
 * v1beta1.metrics.k8s.io replaces the built-in metrics API (`kubectl top`);
 * invalid APIServices get upstream's messages and are not stored.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { waitFor } from '../harness/wait-for.js';
import { createCA, issueCertificate, type PemPair } from '../../src/pki/index.js';
import { startExtensionServer, type ExtensionServer } from './fixtures/extension-apiserver.js';

const NS = 'wardle';
const PYTHON = '/usr/bin/python3';

function pythonUnavailable(): string {
  if (!existsSync(PYTHON)) return `${PYTHON} not installed`;
  return spawnSync(PYTHON, ['-c', 'import kubernetes']).status === 0 ? '' : 'python3-kubernetes not installed';
}

function apiService(name: string, group: string, version: string, caBundle: string, port = 443): string {
  return `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: ${name}}
spec:
  group: ${group}
  version: ${version}
  groupPriorityMinimum: 1000
  versionPriority: 15
  caBundle: ${Buffer.from(caBundle).toString('base64')}
  service: {namespace: ${NS}, name: api, port: ${port}}
`;
}

function endpoints(port: number, portName = 'https'): string {
  return `apiVersion: v1
kind: Endpoints
metadata: {name: api, namespace: ${NS}}
subsets:
- addresses: [{ip: 127.0.0.1}]
  ports: [{name: ${portName}, port: ${port}}]
`;
}

/**
 * The extension server runs in this process, so kubectl must run without
 * blocking the event loop (spawnSync would keep the server from answering).
 */
function kubectlAsync(s: ServerHandle, cacheDir: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn('kubectl', [`--cache-dir=${cacheDir}`, ...args], { env: { ...process.env, KUBECONFIG: s.kubeconfig } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    p.stdin.end(input ?? '');
  });
}

describe('API aggregation', () => {
  let s: ServerHandle;
  const cacheDir = mkdtempSync(join(tmpdir(), 'skiff-aggregation-kubectl-'));
  const kubectl = (args: string[], o: { input?: string } = {}) => kubectlAsync(s, cacheDir, args, o.input);
  const kubectlOk = async (args: string[], o: { input?: string } = {}): Promise<string> => {
    const r = await kubectl(args, o);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
    return r.stdout;
  };
  let ext: ExtensionServer;
  let servingCA: PemPair;
  let node = '';

  const available = async (name: string): Promise<string> =>
    (await kubectl(['get', 'apiservice', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Available")].status}/{.status.conditions[?(@.type=="Available")].reason}/{.status.conditions[?(@.type=="Available")].message}'])).stdout;
  const waitAvailable = (name: string, prefix: string) => waitFor(`${name} ${prefix}`, async () => {
    const a = await available(name);
    return a.startsWith(prefix) && a;
  }, 60_000, 300);

  before(async () => {
    s = await startServer({ args: ['--simulated-nodes', '1'] });
    // The server publishes its front-proxy trust just after it starts serving; wait for it as an extension server would.
    const trustData = await waitFor('the published front-proxy trust', async () => {
      const r = await kubectl(['get', 'configmap', '-n', 'kube-system', 'extension-apiserver-authentication', '-o', 'jsonpath={.data}']);
      return r.code === 0 && r.stdout.includes('requestheader-client-ca-file') && r.stdout;
    }, 60_000, 300);
    const trust = JSON.parse(trustData) as Record<string, string>;
    servingCA = await createCA('wardle-ca');
    const serving = await issueCertificate(servingCA, { subject: 'CN=api.wardle.svc', server: true, sans: [`api.${NS}.svc`] });
    node = await waitFor('a simulated node', async () => (await kubectl(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout, 60_000);
    ext = await startExtensionServer({
      port: 0, host: '127.0.0.1', cert: serving.cert, key: serving.key,
      requestHeaderCA: trust['requestheader-client-ca-file'],
      allowedNames: JSON.parse(trust['requestheader-allowed-names']) as string[],
      nodeMetrics: [{ name: node, cpu: '4321m', memory: '77Mi' }],
    });
    await kubectlOk(['create', 'namespace', NS]);
  });

  after(async () => {
    await ext?.close();
    await s?.stop();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('lists Local APIServices for built-in, metrics and custom resource group/versions', async () => {
    const out = await kubectlOk(['get', 'apiservices']);
    assert.match(out, /^NAME\s+SERVICE\s+AVAILABLE\s+AGE/);
    for (const name of ['v1.', 'v1.apps', 'v2.autoscaling', 'v1.apiregistration.k8s.io', 'v1beta1.metrics.k8s.io']) {
      assert.match(out, new RegExp(`^${name.replace(/\./g, '\\.')}\\s+Local\\s+True\\s`, 'm'), out);
    }
    assert.equal(await available('v1beta1.metrics.k8s.io'), 'True/Local/Local APIServices are always available');
    await kubectlOk(['apply', '-f', '-'], { input: `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.stuff.example.com}
spec:
  group: stuff.example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}
` });
    await waitFor('v1.stuff.example.com', async () => (await kubectl(['get', 'apiservice', 'v1.stuff.example.com'])).code === 0, 30_000);
    const crd = JSON.parse(await kubectlOk(['get', 'apiservice', 'v1.stuff.example.com', '-o', 'json'])) as { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> };
    assert.equal(crd.metadata.labels['kube-aggregator.kubernetes.io/automanaged'], 'true');
    assert.deepEqual(crd.spec, { group: 'stuff.example.com', version: 'v1', groupPriorityMinimum: 1000, versionPriority: 100 });
    await kubectlOk(['delete', 'crd', 'gadgets.stuff.example.com']);
    await waitFor('v1.stuff.example.com gone', async () => (await kubectl(['get', 'apiservice', 'v1.stuff.example.com'])).code !== 0, 60_000);
  });

  it('rejects invalid APIServices with upstream messages and stores nothing', async () => {
    const bad = await kubectl(['apply', '-f', '-'], { input: `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.wrong.example.com}
spec:
  group: wardle.example.com
  version: v1alpha1
  groupPriorityMinimum: 20001
  versionPriority: 0
  insecureSkipTLSVerify: true
  caBundle: Zm9v
  service: {namespace: ${NS}, name: api}
` });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /The APIService "v1\.wrong\.example\.com" is invalid/);
    assert.match(bad.stderr, /metadata\.name: Invalid value: "v1\.wrong\.example\.com": must be `spec\.version\+"\."\+spec\.group`: "v1alpha1\.wardle\.example\.com"/);
    assert.match(bad.stderr, /spec\.groupPriorityMinimum: Invalid value: 20001: must be positive and less than 20000/);
    assert.match(bad.stderr, /spec\.versionPriority: Invalid value: 0: must be positive and less than 1000/);
    assert.match(bad.stderr, /spec\.insecureSkipTLSVerify: Invalid value: true: may not be true if caBundle is present/);
    const local = await kubectl(['apply', '-f', '-'], { input: `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.local.example.com}
spec: {group: local.example.com, version: v1, groupPriorityMinimum: 10, versionPriority: 10, caBundle: Zm9v}
` });
    assert.match(local.stderr, /spec\.caBundle: Invalid value: "3 bytes": local APIServices may not have a caBundle/);
    assert.notEqual((await kubectl(['get', 'apiservice', 'v1.wrong.example.com'])).code, 0);
    assert.notEqual((await kubectl(['get', 'apiservice', 'v1.local.example.com'])).code, 0);
  });

  it('follows the Service and its endpoints in the Available condition, and answers 503 while unavailable', async () => {
    await kubectlOk(['apply', '-f', '-'], { input: apiService('v1alpha1.wardle.example.com', 'wardle.example.com', 'v1alpha1', servingCA.cert) });
    assert.equal(await waitAvailable('v1alpha1.wardle.example.com', 'False/ServiceNotFound'), `False/ServiceNotFound/service/api in "${NS}" is not present`);
    assert.match(await kubectlOk(['get', 'apiservice', 'v1alpha1.wardle.example.com']), /v1alpha1\.wardle\.example\.com\s+wardle\/api\s+False \(ServiceNotFound\)/);
    const unavailable = await s.request('GET', '/apis/wardle.example.com/v1alpha1/namespaces/wardle/flunders');
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.body, 'service unavailable\n');
    const raw = await kubectl(['get', '--raw', '/apis/wardle.example.com/v1alpha1']);
    assert.match(raw.stderr, /the server is currently unable to handle the request/);
    await kubectlOk(['apply', '-f', '-'], { input: `apiVersion: v1
kind: Service
metadata: {name: api, namespace: ${NS}}
spec:
  ports: [{name: https, port: 443, targetPort: ${ext.port}}]
` });
    assert.equal(await waitAvailable('v1alpha1.wardle.example.com', 'False/EndpointsNotFound'), `False/EndpointsNotFound/cannot find endpoints for service/api in "${NS}"`);
    await kubectlOk(['apply', '-f', '-'], { input: endpoints(ext.port, 'other') });
    assert.equal(await waitAvailable('v1alpha1.wardle.example.com', 'False/MissingEndpoints'), `False/MissingEndpoints/endpoints for service/api in "${NS}" have no addresses with port name "https"`);
    await kubectlOk(['apply', '-f', '-'], { input: endpoints(ext.port) });
    assert.equal(await waitAvailable('v1alpha1.wardle.example.com', 'True'), 'True/Passed/all checks passed');
  });

  it('serves the aggregated group through kubectl with the caller identity in front-proxy headers', async () => {
    ext.addFlunder(NS, 'first');
    await waitFor('flunders in discovery', async () => /flunders\s+fl\s+wardle\.example\.com\/v1alpha1\s+true\s+Flunder/.test((await kubectl(['api-resources', '--api-group=wardle.example.com'])).stdout), 30_000);
    const table = await kubectlOk(['get', 'flunders', '-n', NS]);
    assert.match(table, /first/);
    const one = JSON.parse(await kubectlOk(['get', 'fl', 'first', '-n', NS, '-o', 'json'])) as { kind: string; metadata: { name: string } };
    assert.equal(one.kind, 'Flunder');
    assert.equal(one.metadata.name, 'first');
    const missing = await kubectl(['get', 'flunder', 'nope', '-n', NS]);
    assert.match(missing.stderr, /flunders\.wardle\.example\.com "nope" not found/);
    const group = JSON.parse(await kubectlOk(['get', '--raw', '/apis/wardle.example.com'])) as { preferredVersion: { groupVersion: string } };
    assert.equal(group.preferredVersion.groupVersion, 'wardle.example.com/v1alpha1');
    const apis = JSON.parse(await kubectlOk(['get', '--raw', '/apis'])) as { groups: { name: string }[] };
    assert.ok(apis.groups.some((g) => g.name === 'wardle.example.com'));
    // The extension server saw the admin's identity, and a client cannot speak for someone else.
    const who = JSON.parse((await s.request('GET', '/apis/wardle.example.com/v1alpha1/whoamis/me', undefined, { 'X-Remote-User': 'mallory', 'X-Remote-Group': 'system:masters', 'X-Remote-Extra-Scopes': 'all' })).body) as { user: string; groups: string[]; extra: Record<string, string[]> };
    assert.equal(who.user, 'system:admin');
    assert.ok(who.groups.includes('system:masters') && who.groups.includes('system:authenticated'), JSON.stringify(who));
    assert.deepEqual(who.extra, {});
    assert.ok(ext.seen.some((x) => x.user === 'system:kube-aggregator' && x.groups.includes('system:masters')), 'the discovery check identifies as system:kube-aggregator');
  });

  it('streams watches through the proxy', async () => {
    const watch = spawn('kubectl', ['get', 'flunders', '-n', NS, '--watch', '-o', 'name'], { env: { ...process.env, KUBECONFIG: s.kubeconfig } });
    let out = '';
    watch.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor('the initial list', () => out.includes('flunder.wardle.example.com/first'), 30_000);
      ext.addFlunder(NS, 'second');
      await waitFor('the watched addition', () => out.includes('flunder.wardle.example.com/second'), 30_000);
    } finally {
      watch.kill('SIGTERM');
    }
  });

  it('serves the aggregated group to the official Python client', { skip: pythonUnavailable() || undefined }, async () => {
    const script = `
import json, sys
from kubernetes import client, config
config.load_kube_config(config_file=sys.argv[1])
api = client.CustomObjectsApi()
items = api.list_namespaced_custom_object('wardle.example.com', 'v1alpha1', '${NS}', 'flunders')['items']
who = api.get_cluster_custom_object('wardle.example.com', 'v1alpha1', 'whoamis', 'me')
groups = [g.name for g in client.ApisApi().get_api_versions().groups]
print(json.dumps({'names': sorted(i['metadata']['name'] for i in items), 'user': who['user'], 'wardle': 'wardle.example.com' in groups}))
`;
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn(PYTHON, ['-c', script, s.kubeconfig]);
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`python exited ${code}: ${stderr}`))));
    });
    assert.deepEqual(JSON.parse(out.trim().split('\n').pop()!), { names: ['first', 'second'], user: 'system:admin', wardle: true });
  });

  it('links the extension server OpenAPI v3 document, so kubectl explain describes its kinds', async () => {
    const index = JSON.parse(await kubectlOk(['get', '--raw', '/openapi/v3'])) as { paths: Record<string, { serverRelativeURL: string }> };
    assert.equal(index.paths['apis/wardle.example.com/v1alpha1']?.serverRelativeURL, '/openapi/v3/apis/wardle.example.com/v1alpha1?hash=WARDLE1');
    const explain = await kubectlOk(['explain', 'flunders.spec.reference']);
    assert.match(explain, /Reference names another flunder/);
  });

  it('merges the extension server swagger 2.0 document into /openapi/v2, as kube-aggregator does', async () => {
    type Swagger = { paths: Record<string, unknown>; definitions: Record<string, { description?: string; properties?: Record<string, { $ref?: string }> }>; parameters?: Record<string, unknown> };
    const flunderPath = '/apis/wardle.example.com/v1alpha1/namespaces/{namespace}/flunders/{name}';
    const v2 = async (): Promise<Swagger> => JSON.parse(await kubectlOk(['get', '--raw', '/openapi/v2'])) as Swagger;
    const doc = await waitFor('the wardle paths in /openapi/v2', async () => {
      const d = await v2();
      return d.paths[flunderPath] !== undefined && d;
    }, 60_000, 300);
    // Only the /apis/ paths come over; the extension's differing ObjectMeta is renamed, and the Flunder refers to its own copy.
    const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
    assert.equal(doc.definitions[`${meta}_v2`]?.description, 'ObjectMeta as the wardle server knows it.');
    assert.notEqual(doc.definitions[meta]?.description, 'ObjectMeta as the wardle server knows it.');
    assert.equal(doc.definitions['com.example.wardle.v1alpha1.Flunder']?.properties?.metadata?.$ref, `#/definitions/${meta}_v2`);
    assert.ok(doc.parameters?.['pretty-tJGM1-ng']);
    assert.equal(doc.definitions['io.k8s.apimachinery.pkg.version.Info_v2'], undefined);
    assert.ok(ext.seen.some((r) => r.path === '/openapi/v2' && r.user === 'system:aggregator'));
    // kubectl reads the swagger 2.0 document as gnostic protobuf for this output format.
    const explain = await kubectlOk(['explain', 'flunders.spec.reference', '--output=plaintext-openapiv2']);
    assert.match(explain, /Reference names another flunder/);
    // Without the APIService its paths leave the document; registered again, they come back.
    const registration = await kubectlOk(['get', 'apiservice', 'v1alpha1.wardle.example.com', '-o', 'json']);
    await kubectlOk(['delete', 'apiservice', 'v1alpha1.wardle.example.com']);
    await waitFor('the wardle paths gone from /openapi/v2', async () => (await v2()).paths[flunderPath] === undefined, 60_000, 300);
    const again = JSON.parse(registration) as { metadata: Record<string, unknown>; status?: unknown };
    again.metadata = { name: 'v1alpha1.wardle.example.com' };
    delete again.status;
    await kubectlOk(['create', '-f', '-'], { input: JSON.stringify(again) });
    await waitAvailable('v1alpha1.wardle.example.com', 'True');
    await waitFor('the wardle paths back in /openapi/v2', async () => (await v2()).paths[flunderPath] !== undefined, 60_000, 300);
  });

  it('marks a failing discovery check and recovers', async () => {
    await kubectlOk(['apply', '-f', '-'], { input: endpoints(1) });
    const failed = await waitAvailable('v1alpha1.wardle.example.com', 'False/FailedDiscoveryCheck');
    assert.match(failed, /^False\/FailedDiscoveryCheck\/failing or missing response from https:\/\/127\.0\.0\.1:1\/apis\/wardle\.example\.com\/v1alpha1: Get "https:\/\/127\.0\.0\.1:1\/apis\/wardle\.example\.com\/v1alpha1": connect ECONNREFUSED/);
    assert.equal((await s.request('GET', '/apis/wardle.example.com/v1alpha1/namespaces/wardle/flunders')).status, 503);
    await kubectlOk(['apply', '-f', '-'], { input: endpoints(ext.port) });
    await waitAvailable('v1alpha1.wardle.example.com', 'True');
    assert.match(await kubectlOk(['get', 'flunders', '-n', NS]), /second/);
  });

  it('refuses an extension server whose certificate the caBundle does not verify', async () => {
    const other = await createCA('someone-else');
    await kubectlOk(['apply', '-f', '-'], { input: apiService('v1alpha1.wardle.example.com', 'wardle.example.com', 'v1alpha1', other.cert) });
    // The discovery check does not verify (as upstream's); proxied requests do.
    await waitFor('a refused request', async () => (await s.request('GET', '/apis/wardle.example.com/v1alpha1/namespaces/wardle/flunders')).status === 503, 30_000);
    await kubectlOk(['apply', '-f', '-'], { input: apiService('v1alpha1.wardle.example.com', 'wardle.example.com', 'v1alpha1', servingCA.cert) });
    await waitFor('verified again', async () => (await s.request('GET', '/apis/wardle.example.com/v1alpha1/namespaces/wardle/flunders')).status === 200, 30_000);
  });

  it('lets a metrics-server-style APIService replace the built-in metrics API (kubectl top)', async () => {
    await kubectlOk(['apply', '-f', '-'], { input: apiService('v1beta1.metrics.k8s.io', 'metrics.k8s.io', 'v1beta1', servingCA.cert) });
    await waitAvailable('v1beta1.metrics.k8s.io', 'True/Passed');
    assert.match(await kubectlOk(['get', 'apiservice', 'v1beta1.metrics.k8s.io']), /v1beta1\.metrics\.k8s\.io\s+wardle\/api\s+True/);
    const top = await waitFor('kubectl top node from the extension server', async () => {
      const r = await kubectl(['top', 'node', node]);
      return r.code === 0 && /4321m/.test(r.stdout) && r.stdout;
    }, 60_000, 500);
    assert.match(top, new RegExp(`${node}\\s+4321m`));
    // Back to the built-in metrics API.
    await kubectlOk(['apply', '-f', '-'], { input: `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec: {group: metrics.k8s.io, version: v1beta1, groupPriorityMinimum: 100, versionPriority: 100, service: null, caBundle: null}
` });
    await waitAvailable('v1beta1.metrics.k8s.io', 'True/Local');
    const nodes = JSON.parse(await kubectlOk(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes'])) as { items: { usage: { cpu: string } }[] };
    assert.ok(nodes.items.every((n) => n.usage.cpu !== '4321m'));
  });
});
