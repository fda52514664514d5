// SPDX-License-Identifier: Apache-2.0
/**
 * CustomResourceDefinitions end to end: the real kubectl against a real
 * `skiff server --disable-agent`, with a cert-manager-like CRD set driven
 * through apply, explain, get (tables, wide, categories, selectors), status
 * and scale, patch, versions, deletion and restart, plus malformed CRDs and
 * custom resources that violate their schema (upstream's code and message,
 * nothing written).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { waitFor } from '../harness/wait-for.js';
import { CERTIFICATE_CRD, CLUSTER_ISSUER_CRD, certificate } from './fixtures/cert-manager-crds.js';

let s: ServerHandle;

/**
 * req is s.request retried once on a reset connection: kubectl runs synchronously in this process, so an idle
 * keep-alive socket the server closed meanwhile may still look reusable when the next request goes out.
 */
async function req(method: string, path: string, body?: unknown, headers?: Record<string, string>): ReturnType<ServerHandle['request']> {
  try {
    return await s.request(method, path, body, headers);
  } catch (err) {
    if (!/socket hang up|ECONNRESET/.test((err as Error).message)) throw err;
    return s.request(method, path, body, headers);
  }
}

function ns(name: string): string {
  s.kubectlOk(['create', 'namespace', name]);
  return name;
}

async function established(name: string): Promise<void> {
  await waitFor(`CRD ${name} established`, () => {
    const r = s.kubectl(['get', 'crd', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}']);
    return r.code === 0 && r.stdout === 'True';
  });
}

describe('CustomResourceDefinitions with kubectl', () => {
  before(async () => {
    s = await startServer();
    s.kubectlOk(['apply', '-f', '-'], { input: `${CERTIFICATE_CRD}---\n${CLUSTER_ISSUER_CRD}` });
    await established('certificates.cert-manager.io');
    await established('clusterissuers.cert-manager.io');
  });
  after(async () => {
    await s?.stop();
  });

  it('serves the CRD in discovery, with names, conditions and stored versions', async () => {
    const crd = JSON.parse(s.kubectlOk(['get', 'crd', 'certificates.cert-manager.io', '-o', 'json']));
    assert.deepEqual(crd.status.storedVersions, ['v1']);
    const names = Object.fromEntries(crd.status.conditions.map((c: { type: string; reason: string }) => [c.type, c.reason]));
    assert.deepEqual(names, { NamesAccepted: 'NoConflicts', Established: 'InitialNamesAccepted' });
    assert.equal(crd.status.acceptedNames.listKind, 'CertificateList');
    await waitFor('api-resources', () => /^certificates\s+cert,certs\s+cert-manager\.io\/v1\s+true\s+Certificate$/m.test(s.kubectlOk(['api-resources'])));
    const res = s.kubectlOk(['api-resources', '--api-group', 'cert-manager.io', '-o', 'wide']);
    assert.match(res, /^clusterissuers\s+cert-manager\.io\/v1\s+false\s+ClusterIssuer\s+.*cert-manager/m);
    assert.match(s.kubectlOk(['api-versions']), /^cert-manager\.io\/v1$/m);
    assert.match(s.kubectlOk(['api-versions']), /^cert-manager\.io\/v1alpha2$/m);
    // Legacy discovery names v1 the preferred version (kube-aware ordering).
    const group = JSON.parse((await req('GET', '/apis/cert-manager.io')).body);
    assert.equal(group.preferredVersion.version, 'v1');
    assert.deepEqual(group.versions.map((v: { version: string }) => v.version), ['v1', 'v1alpha2']);
    const list = JSON.parse((await req('GET', '/apis/cert-manager.io/v1')).body);
    assert.deepEqual(list.resources.map((r: { name: string }) => r.name).sort(), ['certificates', 'certificates/scale', 'certificates/status', 'clusterissuers', 'clusterissuers/status']);
  });

  it('publishes the schema in OpenAPI v3 for kubectl explain', () => {
    const out = s.kubectlOk(['explain', 'certificates.spec.secretName']);
    assert.match(out, /KIND:\s+Certificate/);
    assert.match(out, /FIELD: secretName <string>/);
    assert.match(out, /Name of the Secret resource that will be automatically created/);
    assert.match(s.kubectlOk(['explain', 'certificate.spec', '--api-version=cert-manager.io/v1']), /issuerRef\s+<Object> -required-/);
  });

  it('creates custom resources with defaults, prints their columns, and selects them', () => {
    const n = ns('crd-create');
    s.kubectlOk(['apply', '-f', '-'], { input: certificate('web', n) });
    const cert = JSON.parse(s.kubectlOk(['get', 'cert', 'web', '-n', n, '-o', 'json']));
    assert.equal(cert.spec.duration, '2160h');
    assert.equal(cert.spec.replicas, 1);
    assert.deepEqual(cert.spec.privateKey, { algorithm: 'RSA' });
    assert.equal(cert.metadata.generation, 1);
    const table = s.kubectlOk(['get', 'certificates', '-n', n]);
    assert.match(table, /^NAME\s+READY\s+SECRET\s+REPLICAS\s+AGE$/m);
    assert.match(table, /^web\s+web-tls\s+1\s+\d+s$/m);
    assert.match(s.kubectlOk(['get', 'certs', '-n', n, '-o', 'wide']), /^NAME\s+READY\s+SECRET\s+ISSUER\s+REPLICAS\s+AGE$/m);
    s.kubectlOk(['apply', '-f', '-'], { input: certificate('api', n) });
    assert.deepEqual(s.kubectlOk(['get', 'cert', '-n', n, '-l', 'app=api', '-o', 'name']).trim().split('\n'), ['certificate.cert-manager.io/api']);
    assert.equal(s.kubectlOk(['get', 'cert', '-n', n, '--field-selector', 'metadata.name=web', '-o', 'name']).trim(), 'certificate.cert-manager.io/web');
    assert.match(s.kubectlOk(['get', 'all', '-n', n]), /certificate\.cert-manager\.io\/web/);
    assert.equal(s.kubectlOk(['get', 'cert', '-n', n, '--field-selector', 'spec.secretName=api-tls', '-o', 'name']).trim(), 'certificate.cert-manager.io/api');
    const badField = s.kubectl(['get', 'cert', '-n', n, '--field-selector', 'spec.duration=1h']);
    assert.match(badField.stderr, /"spec\.duration" is not a known field selector: only "metadata\.name", "metadata\.namespace", "spec\.secretName"/);
    // The served v1alpha2 reads the same objects (None conversion changes only apiVersion).
    const old = JSON.parse(s.kubectlOk(['get', 'certificates.v1alpha2.cert-manager.io', 'web', '-n', n, '-o', 'json']));
    assert.equal(old.apiVersion, 'cert-manager.io/v1alpha2');
    assert.equal(old.spec.secretName, 'web-tls');
  });

  it('prunes unknown fields, or rejects them with --validate=strict', () => {
    const n = ns('crd-prune');
    const withUnknown = certificate('p', n, '  unknownField: 1\n');
    const strict = s.kubectl(['apply', '-f', '-'], { input: withUnknown });
    assert.notEqual(strict.code, 0);
    assert.match(strict.stderr, /Certificate in version "v1" cannot be handled as a Certificate: strict decoding error: unknown field "spec.unknownField"/);
    s.kubectlOk(['apply', '--validate=false', '-f', '-'], { input: withUnknown });
    const cert = JSON.parse(s.kubectlOk(['get', 'cert', 'p', '-n', n, '-o', 'json']));
    assert.equal('unknownField' in cert.spec, false);
  });

  it('rejects custom resources that violate the schema with upstream messages, writing nothing', () => {
    const n = ns('crd-invalid');
    const bad = certificate('bad', n, '  replicas: "three"\n').replace('secretName: bad-tls', 'secretName: Bad_TLS');
    const r = s.kubectl(['create', '-f', '-'], { input: bad });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The Certificate "bad" is invalid: /);
    assert.match(r.stderr, /spec\.replicas: Invalid value: "string": spec\.replicas in body must be of type integer: "string"/);
    assert.match(r.stderr, /spec\.secretName: Invalid value: "Bad_TLS": spec\.secretName in body should match '\^\[a-z0-9\]/);
    assert.match(s.kubectl(['get', 'cert', 'bad', '-n', n]).stderr, /NotFound|not found/);
    const missing = s.kubectl(['create', '-f', '-'], { input: certificate('m', n).replace(/  issuerRef:\n    name: ca\n    kind: ClusterIssuer\n/, '') });
    assert.match(missing.stderr, /spec\.issuerRef: Required value/);
    s.kubectlOk(['apply', '-f', '-'], { input: certificate('good', n) });
    const bounds = s.kubectl(['patch', 'cert', 'good', '-n', n, '--type=merge', '-p', '{"spec":{"replicas":11,"privateKey":{"algorithm":"DSA"},"emailAddresses":["nope"],"dnsNames":["a","a"]}}']);
    assert.match(bounds.stderr, /spec\.replicas: Invalid value: 11: spec\.replicas in body should be less than or equal to 10/);
    assert.match(bounds.stderr, /spec\.privateKey\.algorithm: Unsupported value: "DSA": supported values: "RSA", "ECDSA", "Ed25519"/);
    assert.match(bounds.stderr, /spec\.emailAddresses\[0\]: Invalid value: "nope": spec\.emailAddresses\[0\] in body must be of type email: "nope"/);
    assert.match(bounds.stderr, /spec\.dnsNames\[1\]: Duplicate value: "a"/);
    assert.equal(JSON.parse(s.kubectlOk(['get', 'cert', 'good', '-n', n, '-o', 'json'])).spec.replicas, 1);
  });

  it('enforces x-kubernetes-validations CEL rules, transition rules on update only', () => {
    const n = ns('crd-cel');
    const ed = s.kubectl(['create', '-f', '-'], { input: certificate('ed', n, '  privateKey: {algorithm: Ed25519, size: 256}\n') });
    assert.match(ed.stderr, /spec\.privateKey\.size: Invalid value: "object": size may not be set for Ed25519 keys/);
    const dns = s.kubectl(['create', '-f', '-'], { input: certificate('dns', n).replace('dns.example.com', 'dns.example.org') });
    assert.match(dns.stderr, /spec: Invalid value: "object": failed rule: self\.dnsNames\.all\(n, n\.endsWith\('\.example\.com'\)\)/);
    s.kubectlOk(['create', '-f', '-'], { input: certificate('fixed', n) });
    const rename = s.kubectl(['patch', 'cert', 'fixed', '-n', n, '--type=merge', '-p', '{"spec":{"secretName":"other"}}']);
    assert.match(rename.stderr, /spec\.secretName: Invalid value: "string": secretName is immutable/);
    assert.match(s.kubectl(['get', 'cert', 'ed', '-n', n]).stderr, /not found/);
  });

  it('serves status and scale subresources (kubectl scale, HPA)', async () => {
    const n = ns('crd-scale');
    s.kubectlOk(['apply', '-f', '-'], { input: certificate('s', n) });
    s.kubectlOk(['scale', 'certificate', 's', '-n', n, '--replicas=3']);
    const scaled = JSON.parse(s.kubectlOk(['get', 'cert', 's', '-n', n, '-o', 'json']));
    assert.equal(scaled.spec.replicas, 3);
    assert.equal(scaled.metadata.generation, 2);
    s.kubectlOk(['patch', 'cert', 's', '-n', n, '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":3,"selector":"app=s","conditions":[{"type":"Ready","status":"True"}]}}']);
    assert.match(s.kubectlOk(['get', 'cert', 's', '-n', n]), /^s\s+True\s+s-tls\s+3\s+/m);
    const scale = JSON.parse(s.kubectlOk(['get', '--raw', `/apis/cert-manager.io/v1/namespaces/${n}/certificates/s/scale`]));
    assert.deepEqual({ spec: scale.spec, status: scale.status, kind: scale.kind }, { spec: { replicas: 3 }, status: { replicas: 3, selector: 'app=s' }, kind: 'Scale' });
    // The main resource does not write status, and a status write does not bump generation.
    s.kubectlOk(['patch', 'cert', 's', '-n', n, '--type=merge', '-p', '{"status":{"replicas":9}}']);
    const after = JSON.parse(s.kubectlOk(['get', 'cert', 's', '-n', n, '-o', 'json']));
    assert.equal(after.status.replicas, 3);
    assert.equal(after.metadata.generation, 2);
    // The HPA reads a custom resource's scale like a Deployment's.
    s.kubectlOk(['autoscale', 'certificate', 's', '-n', n, '--min=1', '--max=3', '--cpu-percent=50']);
    await waitFor('HPA got the scale', () => s.kubectlOk(['get', 'hpa', 's', '-n', n, '-o', 'jsonpath={.status.conditions[?(@.type=="AbleToScale")].reason}']) === 'SucceededGetScale', 90_000);
    const badStatus = s.kubectl(['patch', 'cert', 's', '-n', n, '--subresource=status', '--type=merge', '-p', '{"status":{"conditions":[{"type":"Ready","status":"Maybe"}]}}']);
    assert.match(badStatus.stderr, /status\.conditions\[0\]\.status: Unsupported value: "Maybe": supported values: "True", "False", "Unknown"/);
  });

  it('answers strategic merge patches with 415 and serves JSON and merge patches', async () => {
    const n = ns('crd-patch');
    s.kubectlOk(['apply', '-f', '-'], { input: certificate('m', n) });
    const path = `/apis/cert-manager.io/v1/namespaces/${n}/certificates/m`;
    const smp = await req('PATCH', path, { spec: { replicas: 2 } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    assert.equal(smp.status, 415);
    const json = await req('PATCH', path, [{ op: 'replace', path: '/spec/replicas', value: 4 }], { 'Content-Type': 'application/json-patch+json' });
    assert.equal(json.status, 200);
    assert.equal(JSON.parse(json.body).spec.replicas, 4);
  });

  it('serves cluster-scoped custom resources and categories', async () => {
    s.kubectlOk(['apply', '-f', '-'], { input: 'apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: ca\nspec:\n  ca: {secretName: ca}\n' });
    assert.match(s.kubectlOk(['get', 'cert-manager']), /clusterissuer\.cert-manager\.io\/ca/);
    const nsd = await req('GET', '/apis/cert-manager.io/v1/namespaces/default/clusterissuers/ca');
    assert.equal(nsd.status, 404);
  });

  it('takes part in garbage collection and namespace deletion', async () => {
    const n = ns('crd-gc');
    s.kubectlOk(['create', 'configmap', 'owner', '-n', n]);
    const owner = JSON.parse(s.kubectlOk(['get', 'configmap', 'owner', '-n', n, '-o', 'json']));
    const ref = `  ownerReferences:\n  - {apiVersion: v1, kind: ConfigMap, name: owner, uid: ${owner.metadata.uid}}\n`;
    s.kubectlOk(['apply', '-f', '-'], { input: certificate('owned', n).replace('  labels:\n', `${ref}  labels:\n`) });
    const cert = JSON.parse(s.kubectlOk(['get', 'cert', 'owned', '-n', n, '-o', 'json']));
    s.kubectlOk(['create', 'secret', 'generic', 'owned-tls', '-n', n]);
    s.kubectlOk(['patch', 'secret', 'owned-tls', '-n', n, '--type=merge', '-p', JSON.stringify({ metadata: { ownerReferences: [{ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name: 'owned', uid: cert.metadata.uid }] } })]);
    s.kubectlOk(['delete', 'configmap', 'owner', '-n', n]);
    // The certificate goes with its owner, and the secret with the certificate.
    await waitFor('certificate collected', () => s.kubectl(['get', 'cert', 'owned', '-n', n]).code !== 0, 60_000);
    await waitFor('secret collected', () => s.kubectl(['get', 'secret', 'owned-tls', '-n', n]).code !== 0, 60_000);
    s.kubectlOk(['apply', '-f', '-'], { input: certificate('left', n) });
    s.kubectlOk(['delete', 'namespace', n, '--wait=false']);
    await waitFor('namespace gone with its certificates', () => s.kubectl(['get', 'namespace', n]).code !== 0, 60_000);
    assert.deepEqual(JSON.parse((await req('GET', `/apis/cert-manager.io/v1/namespaces/${n}/certificates`)).body).items, []);
  });

  it('reports name conflicts and rejects malformed CRDs with upstream messages', async () => {
    const clash = CLUSTER_ISSUER_CRD.replace('name: clusterissuers.cert-manager.io', 'name: issuers2.cert-manager.io')
      .replace('plural: clusterissuers', 'plural: issuers2').replace('singular: clusterissuer', 'singular: issuer2').replace('listKind: ClusterIssuerList', 'listKind: ClusterIssuer2List');
    s.kubectlOk(['apply', '-f', '-'], { input: clash });
    await waitFor('NamesAccepted=False', () => s.kubectlOk(['get', 'crd', 'issuers2.cert-manager.io', '-o', 'jsonpath={.status.conditions[?(@.type=="NamesAccepted")].reason}']) === 'KindConflict');
    assert.equal(s.kubectlOk(['get', 'crd', 'issuers2.cert-manager.io', '-o', 'jsonpath={.status.conditions[?(@.type=="NamesAccepted")].message}']), '"ClusterIssuer" is already in use');
    assert.equal((await req('GET', '/apis/cert-manager.io/v1/issuers2')).status, 404);
    s.kubectlOk(['delete', 'crd', 'issuers2.cert-manager.io']);

    const bad = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Regional
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            properties:
              size: {type: integer}
`;
    const r = s.kubectl(['apply', '-f', '-'], { input: bad });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The CustomResourceDefinition "widgets\.example\.com" is invalid: /);
    assert.match(r.stderr, /spec\.scope: Unsupported value: "Regional": supported values: "Cluster", "Namespaced"/);
    assert.match(r.stderr, /spec\.versions\[0\]\.schema\.openAPIV3Schema\.properties\[spec\]\.type: Required value: must not be empty for specified object fields/);
    const noStorage = s.kubectl(['apply', '-f', '-'], { input: bad.replace('Regional', 'Namespaced').replace('storage: true', 'storage: false').replace('          spec:\n', '          spec:\n            type: object\n') });
    assert.match(noStorage.stderr, /spec\.versions: Invalid value: .*must have exactly one version marked as storage version/);
    const wrongName = s.kubectl(['apply', '-f', '-'], { input: bad.replace('Regional', 'Namespaced').replace('name: widgets.example.com', 'name: gadgets.example.com').replace('          spec:\n', '          spec:\n            type: object\n') });
    assert.match(wrongName.stderr, /metadata\.name: Invalid value: "gadgets\.example\.com": must be spec\.names\.plural\+"\."\+spec\.group/);
    assert.match(s.kubectl(['get', 'crd', 'widgets.example.com']).stderr, /not found/);
  });

  it('keeps serving CRDs and their objects across a restart, and deleting a CRD deletes its objects first', async () => {
    const n = ns('crd-restart');
    s.kubectlOk(['apply', '-f', '-'], { input: certificate('keep', n) });
    await s.kill();
    const dataDir = s.dataDir;
    s = await startServer({ dataDir });
    assert.match(s.kubectlOk(['get', 'cert', 'keep', '-n', n]), /^keep\s+keep-tls\s+1\s+/m);
    // A finalizer on the object holds the CRD in Terminating until the object is really gone.
    s.kubectlOk(['patch', 'cert', 'keep', '-n', n, '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}']);
    s.kubectlOk(['delete', 'crd', 'certificates.cert-manager.io', '--wait=false']);
    await waitFor('CRD Terminating', () => s.kubectlOk(['get', 'crd', 'certificates.cert-manager.io', '-o', 'jsonpath={.status.conditions[?(@.type=="Terminating")].reason}']) === 'InstanceDeletionInProgress');
    await waitFor('object marked for deletion', () => JSON.parse(s.kubectlOk(['get', 'cert', 'keep', '-n', n, '-o', 'json'])).metadata.deletionTimestamp);
    s.kubectlOk(['patch', 'cert', 'keep', '-n', n, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await waitFor('CRD gone', () => s.kubectl(['get', 'crd', 'certificates.cert-manager.io']).code !== 0);
    assert.equal((await req('GET', `/apis/cert-manager.io/v1/namespaces/${n}/certificates`)).status, 404);
    assert.doesNotMatch(s.kubectlOk(['api-resources']), /^certificates\s/m);
    // Re-creating the CRD finds no leftovers in storage.
    s.kubectlOk(['apply', '-f', '-'], { input: CERTIFICATE_CRD });
    await established('certificates.cert-manager.io');
    await waitFor('served again', async () => (await req('GET', `/apis/cert-manager.io/v1/namespaces/${n}/certificates`)).status === 200);
    assert.deepEqual(JSON.parse((await req('GET', `/apis/cert-manager.io/v1/namespaces/${n}/certificates`)).body).items, []);
  });
});
