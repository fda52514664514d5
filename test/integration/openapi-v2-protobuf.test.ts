// SPDX-License-Identifier: Apache-2.0
/**
 * /openapi/v2 in gnostic protobuf form against the real kubectl and a real
 * `skiff server`: kubectl validates a `kind: List` client-side (the server's
 * field validation cannot be used for List), which needs the protobuf
 * document; before it was served, every `kubectl apply` of a List failed
 * with a 406.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_ACCEPT, openAPIV2Protobuf } from '../../src/apiserver/openapi/index.js';

let s: ServerHandle;

function ns(name: string): string {
  s.kubectlOk(['create', 'namespace', name]);
  return name;
}

const configMap = (name: string, extra = '') => `- apiVersion: v1
  kind: ConfigMap
  metadata: {name: ${name}}
  data: {mode: fast}
${extra}`;

const deployment = (name: string, extraSpec = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 1
${extraSpec}  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: web, image: nginx:1.25, ports: [{containerPort: 80}]}]}
`;

/** list wraps items (already YAML sequence entries) in a v1 List, as `kubectl get -o yaml` writes several objects. */
const list = (...items: string[]) => `apiVersion: v1\nkind: List\nitems:\n${items.join('')}`;

/** indentAsItem turns a whole manifest into one entry of a YAML sequence. */
const indentAsItem = (manifest: string) => manifest.trimEnd().split('\n').map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`)).join('\n') + '\n';

describe('/openapi/v2 protobuf with the real kubectl', () => {
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s?.stop();
  });

  it('answers the protobuf Accept client-go sends, with its ETag, and 304 on a match', async () => {
    const expected = openAPIV2Protobuf();
    const r = await s.request('GET', '/openapi/v2', undefined, { Accept: OPENAPI_V2_PROTOBUF_ACCEPT });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], OPENAPI_V2_PROTOBUF);
    assert.equal(r.headers.etag, expected.etag);
    assert.equal(Number(r.headers['content-length']), expected.body.length);
    const again = await s.request('GET', '/openapi/v2', undefined, { Accept: OPENAPI_V2_PROTOBUF_ACCEPT, 'If-None-Match': expected.etag });
    assert.equal(again.status, 304);
  });

  it('keeps JSON for JSON and 406 for anything else', async () => {
    const json = await s.request('GET', '/openapi/v2', undefined, { Accept: 'application/json' });
    assert.equal(json.status, 200);
    assert.equal(json.headers['content-type'], 'application/json');
    assert.equal((JSON.parse(json.body) as { swagger: string }).swagger, '2.0');
    const other = await s.request('GET', '/openapi/v2', undefined, { Accept: 'text/html' });
    assert.equal(other.status, 406);
  });

  it('applies a List of a ConfigMap and a Deployment, fetching the protobuf document', () => {
    const n = ns('v2pb-list');
    const r = s.kubectl(['apply', '-n', n, '-v=6', '-f', '-'], { input: list(configMap('settings'), indentAsItem(deployment('web'))) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /configmap\/settings created/);
    assert.match(r.stdout, /deployment\.apps\/web created/);
    assert.match(r.stderr, /GET https:\/\/\S+\/openapi\/v2\S* 200 OK/);
    assert.equal(s.kubectlOk(['get', 'configmap', 'settings', '-n', n, '-o', 'jsonpath={.data.mode}']), 'fast');
  });

  it('rejects a List item with an unknown field by client-side validation', () => {
    const n = ns('v2pb-unknown');
    const r = s.kubectl(['apply', '-n', n, '-f', '-'], { input: list(configMap('ok'), configMap('typo', '  bogus: 1\n')) });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unknown field "bogus" in io\.k8s\.api\.core\.v1\.ConfigMap/);
    assert.match(r.stderr, /turn validation off with --validate=false/);
    // Validation runs before anything is sent, so no item of the List was created.
    assert.equal(s.kubectlOk(['get', 'configmaps', '-n', n, '-o', 'name']).includes('configmap/ok'), false);
  });

  it('still explains from the v3 documents', () => {
    const out = s.kubectlOk(['explain', 'deployment.spec.replicas']);
    assert.match(out, /GROUP:\s+apps/);
    assert.match(out, /FIELD: replicas <integer>/);
  });

  it('leaves a plain Deployment to server-side strict validation', () => {
    const n = ns('v2pb-strict');
    const good = s.kubectl(['apply', '-n', n, '--validate=strict', '-v=6', '-f', '-'], { input: deployment('api') });
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stderr, /POST \S+\/deployments\?\S*fieldValidation=Strict\S* 201/);
    const bad = s.kubectl(['apply', '-n', n, '--validate=strict', '-f', '-'], { input: deployment('api2', '  replicasx: 2\n') });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /strict decoding error: unknown field "spec.replicasx"/);
  });
});
