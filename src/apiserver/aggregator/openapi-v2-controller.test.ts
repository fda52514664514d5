// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/index.js';
import { InformerFactory, R } from '../../client/index.js';
import { FakeClient } from '../../client/fake-client.js';
import { APISERVICES } from './available-controller.js';
import { AGGREGATOR_USER, OpenAPIV2Controller, type FetchSpec } from './openapi-v2-controller.js';
import type { APIService } from './types.js';
import type { RemoteAnswer } from './remote-transport.js';

const remote = (name: string, group: string): KubeObject => ({
  apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name },
  spec: { group, version: 'v1', service: { namespace: 'ext', name: 'api', port: 443 }, groupPriorityMinimum: 100, versionPriority: 10 },
});
const localService: KubeObject = { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.apps' }, spec: { group: 'apps', version: 'v1', groupPriorityMinimum: 17800, versionPriority: 15 } };

async function setup(answers: RemoteAnswer[]) {
  const client = new FakeClient([remote('v1.a.example.com', 'a.example.com'), localService]);
  const factory = new InformerFactory(client);
  const calls: Array<{ name: string; headers: Record<string, string> }> = [];
  const fetch: FetchSpec = async (s, headers) => {
    calls.push({ name: s.metadata.name!, headers });
    const next = answers.shift();
    if (!next) throw new Error('connection refused');
    return next;
  };
  let changes = 0;
  const c = new OpenAPIV2Controller({
    apiServices: factory.informer<APIService>(APISERVICES), services: factory.informer(R.services), endpoints: factory.informer(R.endpoints),
    proxyClient: { cert: '', key: '' }, changed: () => changes++, fetch,
  });
  const ac = new AbortController();
  factory.start(ac.signal);
  await factory.waitForSync();
  return { c, calls, changes: () => changes, client, stop: () => ac.abort() };
}

const doc = (title: string) => JSON.stringify({ swagger: '2.0', info: { title }, paths: {} });

test('downloads as system:aggregator, then sends the ETag back and keeps the document on 304', async () => {
  const t = await setup([{ status: 200, body: doc('one'), etag: '"E1"' }, { status: 304, body: '' }]);
  await t.c.sync('v1.a.example.com');
  assert.deepEqual(t.calls[0], { name: 'v1.a.example.com', headers: { 'X-Remote-User': AGGREGATOR_USER } });
  assert.equal((t.c.documents().get('v1.a.example.com')?.info as { title: string }).title, 'one');
  assert.equal(t.changes(), 1);
  await t.c.sync('v1.a.example.com');
  assert.equal(t.calls[1]!.headers['If-None-Match'], '"E1"');
  assert.equal(t.changes(), 1);
  assert.ok(t.c.documents().has('v1.a.example.com'));
  t.stop();
});

test('a failure keeps the last document and is retried; a 404 drops it; a local APIService is never fetched', async () => {
  const t = await setup([{ status: 200, body: doc('one') }, { status: 500, body: 'boom' }]);
  await t.c.sync('v1.a.example.com');
  await assert.rejects(t.c.sync('v1.a.example.com'), /failed to retrieve openAPI spec, http error: ResponseCode: 500/);
  // Without a server ETag none is sent; the document stays after the failure.
  assert.equal(t.calls[1]!.headers['If-None-Match'], undefined);
  assert.ok(t.c.documents().has('v1.a.example.com'));
  await assert.rejects(t.c.sync('v1.a.example.com'), /connection refused/);
  assert.ok(t.c.documents().has('v1.a.example.com'));
  await t.c.sync('v1.apps');
  assert.equal(t.calls.length, 3);
  t.stop();
});

test('an unchanged body without an ETag is not a change; a 404 or a deleted APIService drops the document', async () => {
  const t = await setup([{ status: 200, body: doc('one') }, { status: 200, body: doc('one') }, { status: 404, body: '' }, { status: 200, body: doc('two') }]);
  await t.c.sync('v1.a.example.com');
  await t.c.sync('v1.a.example.com');
  assert.equal(t.changes(), 1);
  await t.c.sync('v1.a.example.com');
  assert.equal(t.c.documents().size, 0);
  assert.equal(t.changes(), 2);
  await t.c.sync('v1.a.example.com');
  assert.equal(t.c.documents().size, 1);
  await t.client.delete(APISERVICES, 'v1.a.example.com');
  await new Promise((r) => setTimeout(r, 20));
  await t.c.sync('v1.a.example.com');
  assert.equal(t.c.documents().size, 0);
  t.stop();
});
