// SPDX-License-Identifier: Apache-2.0
/**
 * CRD webhook conversion against a real `skiff server` and a real HTTPS
 * conversion webhook (ConversionReview v1, reached by URL with a caBundle):
 * an object written in v2 is stored in the storage version v1 and read back
 * in either version, lists convert every item, a failed conversion answers
 * upstream's 500 message, and a Webhook strategy without a client config is
 * refused with upstream's field path.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort, startServer, type ServerHandle } from '../harness/server-harness.js';
import { webhookAppScript } from '../harness/admission-webhook-app.js';
import { createCA, issueCertificate } from '../../src/pki/index.js';

let s: ServerHandle;
let app: ChildProcess;
let port = 0;

const crd = (conversion: unknown) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget' },
    scope: 'Namespaced',
    conversion,
    versions: [
      { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'string' } } } } } } },
      { name: 'v2', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { sizeBytes: { type: 'integer' } } } } } } },
    ],
  },
});

describe('CRD conversion webhooks', () => {
  before(async () => {
    s = await startServer();
    port = await freePort();
    const ca = await createCA('conversion-test-ca');
    const serving = await issueCertificate(ca, { subject: 'CN=converter', sans: ['127.0.0.1'], server: true });
    app = spawn(process.execPath, ['-e', webhookAppScript(serving.cert, serving.key, port, '127.0.0.1')], { stdio: 'ignore' });
    for (let i = 0; i < 100 && spawnSync('curl', ['-sk', `https://127.0.0.1:${port}/reviews`]).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    const conversion = { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { url: `https://127.0.0.1:${port}/convert`, caBundle: Buffer.from(ca.cert).toString('base64') } } };
    s.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(crd(conversion)) });
    s.kubectlOk(['wait', '--for=condition=Established', 'crd/widgets.stable.example.com', '--timeout=30s']);
  });
  after(async () => {
    app?.kill('SIGTERM');
    await s?.stop();
  });

  it('stores in the storage version and serves every version through the webhook', async () => {
    s.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'stable.example.com/v2', kind: 'Widget', metadata: { name: 'w', namespace: 'default', labels: { a: 'b' } }, spec: { sizeBytes: 10 } }) });
    const v1 = JSON.parse((await s.request('GET', '/apis/stable.example.com/v1/namespaces/default/widgets/w')).body) as { apiVersion: string; spec: unknown; metadata: { labels: unknown } };
    assert.equal(v1.apiVersion, 'stable.example.com/v1');
    assert.deepEqual(v1.spec, { size: '10' });
    assert.deepEqual(v1.metadata.labels, { a: 'b' });
    assert.equal(s.kubectlOk(['get', 'widgets.v2.stable.example.com', 'w', '-o', 'jsonpath={.spec.sizeBytes}']), '10');
    s.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'stable.example.com/v1', kind: 'Widget', metadata: { name: 'x', namespace: 'default' }, spec: { size: '7' } }) });
    const list = JSON.parse((await s.request('GET', '/apis/stable.example.com/v2/namespaces/default/widgets')).body) as { items: { apiVersion: string; spec: unknown }[] };
    assert.deepEqual(list.items.map((i) => i.spec), [{ sizeBytes: 10 }, { sizeBytes: 7 }]);
  });

  it('a failed conversion answers upstream 500 message', async () => {
    s.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'stable.example.com/v1', kind: 'Widget', metadata: { name: 'bad', namespace: 'default' }, spec: { size: 'fail' } }) });
    const r = await s.request('GET', '/apis/stable.example.com/v2/namespaces/default/widgets/bad');
    assert.equal(r.status, 500, r.body);
    assert.equal((JSON.parse(r.body) as { message: string }).message, 'Internal error occurred: conversion webhook for stable.example.com/v1, Kind=Widget failed: size fail cannot be converted');
  });

  it('refuses a Webhook strategy without a client config', () => {
    const bad = crd({ strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'] } });
    bad.metadata.name = 'gadgets.stable.example.com';
    bad.spec.names = { kind: 'Gadget', plural: 'gadgets', singular: 'gadget' };
    const r = s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(bad) });
    assert.match(r.stderr, /spec\.conversion\.webhook\.clientConfig: Required value: required when strategy is set to Webhook/);
  });
});
