// SPDX-License-Identifier: Apache-2.0
/**
 * Admission webhooks end to end against a real `skiff server`, with a real
 * HTTPS webhook server (a node process, certificate from a CA made with
 * src/pki) reached by URL: JSON patches and warnings seen by kubectl, a
 * denial seen by kubectl and by the official Python client with upstream's
 * message, failurePolicy on timeouts, unreachable and garbage-answering
 * webhooks and on an unknown CA, selectors, matchConditions, dry run,
 * reinvocation, v1beta1 reviews, a cert-manager style Certificate CRD with a
 * validating webhook, and configuration validation. Nothing refused is stored.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort, startServer, type ServerHandle } from '../harness/server-harness.js';
import { webhookAppScript } from '../harness/admission-webhook-app.js';
import { createCA, issueCertificate } from '../../src/pki/index.js';

let s: ServerHandle;
let app: ChildProcess;
let port = 0;
let caBundle = '';
let otherCaBundle = '';

const b64 = (t: string) => Buffer.from(t).toString('base64');

function hook(name: string, path: string, extra: Record<string, unknown> = {}, rules: unknown[] = [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }]): Record<string, unknown> {
  return { name, clientConfig: { url: `https://127.0.0.1:${port}${path}`, caBundle }, rules, sideEffects: 'None', admissionReviewVersions: ['v1'], namespaceSelector: { matchLabels: { webhooks: 'on' } }, ...extra };
}

async function apply(kind: 'Mutating' | 'Validating', name: string, webhooks: unknown[]): Promise<void> {
  const body = { apiVersion: 'admissionregistration.k8s.io/v1', kind: `${kind}WebhookConfiguration`, metadata: { name }, webhooks };
  s.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(body) });
}

function remove(kind: 'mutating' | 'validating', name: string): void {
  s.kubectl(['delete', `${kind}webhookconfiguration`, name, '--ignore-not-found']);
}

const cm = (name: string, labels: Record<string, string> = {}, ns = 'hooked') => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data: { a: 'b' } });

async function reviews(): Promise<{ path: string; query: string; review: { apiVersion: string; request: Record<string, unknown> } }[]> {
  const r = spawnSync('curl', ['-sk', `https://127.0.0.1:${port}/reviews`], { encoding: 'utf8' });
  return JSON.parse(r.stdout) as never;
}

describe('admission webhooks', () => {
  before(async () => {
    s = await startServer();
    port = await freePort();
    const ca = await createCA('webhook-test-ca');
    const other = await createCA('some-other-ca');
    const serving = await issueCertificate(ca, { subject: 'CN=webhook', sans: ['127.0.0.1'], server: true });
    caBundle = b64(ca.cert);
    otherCaBundle = b64(other.cert);
    app = spawn(process.execPath, ['-e', webhookAppScript(serving.cert, serving.key, port, '127.0.0.1')], { stdio: 'ignore' });
    for (let i = 0; i < 100 && spawnSync('curl', ['-sk', `https://127.0.0.1:${port}/reviews`]).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    s.kubectlOk(['create', 'namespace', 'hooked']);
    s.kubectlOk(['label', 'namespace', 'hooked', 'webhooks=on']);
    s.kubectlOk(['create', 'namespace', 'plain']);
  });
  after(async () => {
    app?.kill('SIGTERM');
    await s?.stop();
  });

  it('patches and warns from a mutating webhook; denies from a validating one, as upstream words it', async () => {
    await apply('Mutating', 'mutate', [hook('mutate.skiff.dev', '/mutate')]);
    await apply('Validating', 'validate', [hook('validate.skiff.dev', '/validate')]);
    const ok = s.kubectl(['apply', '-f', '-'], { input: cm('ok') });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /Warning: mutated by the test webhook/);
    assert.match(ok.stderr, /Warning: validated by the test webhook/);
    assert.equal(s.kubectlOk(['get', 'cm', 'ok', '-n', 'hooked', '-o', 'jsonpath={.metadata.labels.webhook\\.skiff\\.dev/mutated}']), 'true');
    // The namespaceSelector leaves other namespaces alone.
    s.kubectlOk(['apply', '-f', '-'], { input: cm('ok', {}, 'plain') });
    assert.equal(s.kubectlOk(['get', 'cm', 'ok', '-n', 'plain', '-o', 'jsonpath={.metadata.labels.webhook\\.skiff\\.dev/mutated}']), '');

    const bad = s.kubectl(['apply', '-f', '-'], { input: cm('bad', { bad: 'true' }) });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Error from server \(Forbidden\): error when creating "STDIN": admission webhook "validate.skiff.dev" denied the request: objects labelled bad=true are not allowed/);
    const raw = await s.request('POST', '/api/v1/namespaces/hooked/configmaps', JSON.parse(cm('bad', { bad: 'true' })));
    assert.equal(raw.status, 403);
    const status = JSON.parse(raw.body) as { reason: string; message: string; code: number };
    assert.deepEqual([status.reason, status.code], ['Forbidden', 403]);
    assert.equal(s.kubectl(['get', 'cm', 'bad', '-n', 'hooked']).code, 1, 'a denied object is not stored');

    // The review carried what upstream sends.
    const seen = (await reviews()).filter((r) => r.path === '/validate').pop()!;
    assert.equal(seen.query, '?timeout=10s');
    assert.equal(seen.review.apiVersion, 'admission.k8s.io/v1');
    const req = seen.review.request as Record<string, unknown>;
    assert.deepEqual(req.kind, { group: '', version: 'v1', kind: 'ConfigMap' });
    assert.deepEqual(req.resource, { group: '', version: 'v1', resource: 'configmaps' });
    assert.equal(req.operation, 'CREATE');
    assert.equal(req.namespace, 'hooked');
    assert.equal(req.dryRun, false);
    assert.equal((req.userInfo as { username: string }).username.length > 0, true);
    // Validating webhooks see the object after the mutating ones.
    assert.equal(((req.object as { metadata: { labels: Record<string, string> } }).metadata.labels)['webhook.skiff.dev/mutated'], 'true');
  });

  it('the official Python client sees the denial with upstream status and message', { skip: !existsSync('/usr/bin/python3') }, () => {
    const py = `
import json, sys
from kubernetes import client, config
from kubernetes.client.rest import ApiException
config.load_kube_config(config_file=sys.argv[1])
try:
    client.CoreV1Api().create_namespaced_config_map("hooked", {"metadata": {"name": "py-bad", "labels": {"bad": "true"}}})
    print(json.dumps({"status": 0}))
except ApiException as e:
    print(json.dumps({"status": e.status, "body": json.loads(e.body)}))
`;
    const r = spawnSync('/usr/bin/python3', ['-c', py, s.kubeconfig], { encoding: 'utf8' });
    if (/No module named 'kubernetes'/.test(r.stderr)) return;
    const out = JSON.parse(r.stdout) as { status: number; body: { message: string; reason: string } };
    assert.equal(out.status, 403);
    assert.equal(out.body.message, 'admission webhook "validate.skiff.dev" denied the request: objects labelled bad=true are not allowed');
    assert.equal(out.body.reason, 'Forbidden');
  });

  it('server-side dry run tells the webhook and stores nothing', async () => {
    s.kubectlOk(['apply', '--dry-run=server', '-f', '-'], { input: cm('dry') });
    const seen = (await reviews()).filter((r) => r.path === '/mutate').pop()!;
    assert.equal(seen.review.request.dryRun, true);
    assert.equal(s.kubectl(['get', 'cm', 'dry', '-n', 'hooked']).code, 1);
    remove('mutating', 'mutate');
    remove('validating', 'validate');
  });

  it('failurePolicy: Fail answers upstream internal errors for timeouts, refused connections, garbage, a wrong uid and an unknown CA; Ignore lets the request through', async () => {
    const closed = await freePort();
    const cases: [string, Record<string, unknown>, string][] = [
      ['slow', { timeoutSeconds: 1 }, `failed to call webhook: Post "https://127.0.0.1:${port}/slow?timeout=1s": context deadline exceeded`],
      ['garbage', {}, `failed to call webhook: couldn't get version/kind; json parse error: `],
      ['wrong-uid', {}, 'received invalid webhook response: expected response.uid='],
      ['unknown-ca', { clientConfig: { url: `https://127.0.0.1:${port}/validate`, caBundle: otherCaBundle } }, `failed to call webhook: Post "https://127.0.0.1:${port}/validate?timeout=10s": tls: failed to verify certificate: x509: certificate signed by unknown authority`],
      ['refused', { clientConfig: { url: `https://127.0.0.1:${closed}/validate`, caBundle } }, `failed to call webhook: Post "https://127.0.0.1:${closed}/validate?timeout=10s": dial tcp 127.0.0.1:${closed}: connect: connection refused`],
    ];
    for (const [what, extra, reason] of cases) {
      await apply('Validating', 'failing', [hook(`${what}.skiff.dev`, `/${what}`, extra)]);
      const r = await s.request('POST', '/api/v1/namespaces/hooked/configmaps', JSON.parse(cm(`fail-${what}`)));
      assert.equal(r.status, 500, `${what}: ${r.body}`);
      const st = JSON.parse(r.body) as { reason: string; message: string };
      assert.equal(st.reason, 'InternalError');
      assert.ok(st.message.startsWith(`Internal error occurred: failed calling webhook "${what}.skiff.dev": ${reason}`), `${what}: ${st.message}`);
      assert.equal(s.kubectl(['get', 'cm', `fail-${what}`, '-n', 'hooked']).code, 1);
      await apply('Validating', 'failing', [hook(`${what}.skiff.dev`, `/${what}`, { ...extra, failurePolicy: 'Ignore' })]);
      const ok = await s.request('POST', '/api/v1/namespaces/hooked/configmaps', JSON.parse(cm(`fail-${what}`)));
      assert.equal(ok.status, 201, `${what} with Ignore: ${ok.body}`);
    }
    remove('validating', 'failing');
  });

  it('objectSelector and matchConditions decide which requests a webhook sees', async () => {
    await apply('Validating', 'selective', [
      hook('selective.skiff.dev', '/validate', {
        objectSelector: { matchExpressions: [{ key: 'checked', operator: 'Exists' }] },
        matchConditions: [{ name: 'not-exempt', expression: "object.metadata.name != 'exempt'" }],
      }),
    ]);
    assert.equal((await s.request('POST', '/api/v1/namespaces/hooked/configmaps', JSON.parse(cm('unchecked', { bad: 'true' })))).status, 201);
    assert.equal((await s.request('POST', '/api/v1/namespaces/hooked/configmaps', JSON.parse(cm('exempt', { bad: 'true', checked: 'y' })))).status, 201);
    assert.equal((await s.request('POST', '/api/v1/namespaces/hooked/configmaps', JSON.parse(cm('checked', { bad: 'true', checked: 'y' })))).status, 403);
    await apply('Validating', 'selective', [hook('selective.skiff.dev', '/validate', { matchConditions: [{ name: 'broken', expression: 'object.nosuchfield == 1' }] })]);
    const r = await s.request('POST', '/api/v1/namespaces/hooked/configmaps', JSON.parse(cm('broken')));
    assert.equal(r.status, 403);
    assert.match((JSON.parse(r.body) as { message: string }).message, /^configmaps "broken" is forbidden: expression 'object.nosuchfield == 1' resulted in error: no such key: nosuchfield/);
    remove('validating', 'selective');
  });

  it('reinvokes an IfNeeded webhook after a later webhook changed the object', async () => {
    const before = (await reviews()).filter((r) => r.path === '/append-a').length;
    await apply('Mutating', 'a-first', [hook('a.skiff.dev', '/append-a', { reinvocationPolicy: 'IfNeeded' })]);
    await apply('Mutating', 'b-second', [hook('b.skiff.dev', '/append-b')]);
    s.kubectlOk(['apply', '-f', '-'], { input: cm('ordered') });
    assert.equal(s.kubectlOk(['get', 'cm', 'ordered', '-n', 'hooked', '-o', 'jsonpath={.metadata.annotations.order}']), 'ab');
    assert.equal((await reviews()).filter((r) => r.path === '/append-a').length - before, 2, 'a is called again after b changed the object');
    remove('mutating', 'a-first');
    remove('mutating', 'b-second');
  });

  it('sends v1beta1 reviews to a webhook that accepts only v1beta1', async () => {
    await apply('Mutating', 'beta', [hook('beta.skiff.dev', '/mutate', { admissionReviewVersions: ['v1beta1'] })]);
    s.kubectlOk(['apply', '-f', '-'], { input: cm('beta') });
    assert.equal((await reviews()).pop()!.review.apiVersion, 'admission.k8s.io/v1beta1');
    assert.equal(s.kubectlOk(['get', 'cm', 'beta', '-n', 'hooked', '-o', 'jsonpath={.metadata.labels.webhook\\.skiff\\.dev/mutated}']), 'true');
    remove('mutating', 'beta');
  });

  it('a cert-manager style Certificate CRD with a validating webhook refuses a Certificate without dnsNames', async () => {
    s.kubectlOk(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'certificates.cert-manager.io' },
        spec: {
          group: 'cert-manager.io',
          names: { kind: 'Certificate', plural: 'certificates', singular: 'certificate', shortNames: ['cert', 'certs'] },
          scope: 'Namespaced',
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { secretName: { type: 'string' }, dnsNames: { type: 'array', items: { type: 'string' } }, issuerRef: { type: 'object', properties: { name: { type: 'string' }, kind: { type: 'string' } } } } } } } } }],
        },
      }),
    });
    s.kubectlOk(['wait', '--for=condition=Established', 'crd/certificates.cert-manager.io', '--timeout=30s']);
    await apply('Validating', 'cert-manager-webhook', [hook('webhook.cert-manager.io', '/validate', {}, [{ operations: ['CREATE', 'UPDATE'], apiGroups: ['cert-manager.io'], apiVersions: ['v1'], resources: ['certificates'] }])]);
    const cert = (dns: string[] | undefined) => JSON.stringify({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: dns ? 'good' : 'bad', namespace: 'hooked' }, spec: { secretName: 'tls', issuerRef: { name: 'ca', kind: 'Issuer' }, ...(dns ? { dnsNames: dns } : {}) } });
    const bad = s.kubectl(['apply', '-f', '-'], { input: cert(undefined) });
    assert.match(bad.stderr, /admission webhook "webhook.cert-manager.io" denied the request: spec.dnsNames: at least one DNS name is required/);
    s.kubectlOk(['apply', '-f', '-'], { input: cert(['example.com']) });
    assert.equal(s.kubectlOk(['get', 'certificates', '-n', 'hooked', '-o', 'name']).trim(), 'certificate.cert-manager.io/good');
    remove('validating', 'cert-manager-webhook');
  });

  it('validates configurations with upstream field paths and messages', () => {
    const r = s.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingWebhookConfiguration',
        metadata: { name: 'invalid' },
        webhooks: [{ name: 'short', clientConfig: { url: 'http://x/y' }, sideEffects: 'Some', admissionReviewVersions: ['v9'], timeoutSeconds: 31, rules: [{ operations: ['*', 'CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }] }],
      }),
    });
    assert.notEqual(r.code, 0);
    for (const m of [
      'webhooks[0].name: Invalid value: "short": should be a domain with at least three segments separated by dots',
      `webhooks[0].rules[0].operations: Invalid value: ["*","CREATE"]: if '*' is present, must not specify other operations`,
      'webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"',
      'webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds',
      'webhooks[0].admissionReviewVersions: Invalid value: ["v9"]: must include at least one of v1, v1beta1',
      `webhooks[0].clientConfig.url: Invalid value: "http://x/y": 'https' is the only allowed URL scheme`,
    ]) assert.ok(r.stderr.includes(m), `missing ${m} in ${r.stderr}`);
    assert.equal(s.kubectl(['get', 'validatingwebhookconfiguration', 'invalid']).code, 1);
    const table = s.kubectlOk(['get', 'mutatingwebhookconfigurations,validatingwebhookconfigurations']);
    assert.ok(table === '' || /WEBHOOKS/.test(table));
  });
});
