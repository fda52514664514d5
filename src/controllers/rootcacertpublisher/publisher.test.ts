// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/index.js';
import { newFixture } from '../controller-fixture.js';
import { DESCRIPTION, RootCACertPublisher } from './publisher.js';

const CA = '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n';
const CM = { group: '', version: 'v1', resource: 'configmaps' };
const ns = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...extra }, status: { phase: 'Active' } });
const rootCM = (namespace: string, data: Record<string, string>, annotations?: Record<string, string>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace, annotations }, data });

test('each namespace gets kube-root-ca.crt with the CA and upstream\'s description; a right one is left alone; a terminating namespace gets none', async () => {
  const f = newFixture([
    ns('a'), ns('b'), ns('c', { deletionTimestamp: '2024-01-01T00:00:00Z' }),
    rootCM('b', { 'ca.crt': CA }, { 'kubernetes.io/description': DESCRIPTION }),
  ]);
  const c = new RootCACertPublisher({ client: f.client, factory: f.factory, clock: f.clock, rootCA: CA });
  await f.start();
  for (const n of ['a', 'b', 'c', 'gone']) await c.sync(n);
  assert.deepEqual(f.writes(), ['create configmaps a/kube-root-ca.crt']);
  const made = await f.client.get(CM, 'kube-root-ca.crt', { namespace: 'a' });
  assert.deepEqual(made.data, { 'ca.crt': CA });
  assert.deepEqual(made.metadata.annotations, { 'kubernetes.io/description': DESCRIPTION });
  await f.stop();
});

test('changed data or a missing annotation is put back, other annotations and labels are kept', async () => {
  const f = newFixture([
    ns('a'), ns('b'),
    { ...rootCM('a', { 'ca.crt': 'forged', extra: 'x' }, { keep: 'me', 'kubernetes.io/description': DESCRIPTION }), metadata: { name: 'kube-root-ca.crt', namespace: 'a', labels: { l: '1' }, annotations: { keep: 'me', 'kubernetes.io/description': DESCRIPTION } } },
    rootCM('b', { 'ca.crt': CA }),
  ]);
  const c = new RootCACertPublisher({ client: f.client, factory: f.factory, clock: f.clock, rootCA: CA });
  await f.start();
  await c.sync('a');
  await c.sync('b');
  assert.deepEqual(f.writes(), ['update configmaps a/kube-root-ca.crt', 'update configmaps b/kube-root-ca.crt']);
  const a = await f.client.get(CM, 'kube-root-ca.crt', { namespace: 'a' });
  assert.deepEqual(a.data, { 'ca.crt': CA });
  assert.deepEqual(a.metadata.labels, { l: '1' });
  assert.equal(a.metadata.annotations?.keep, 'me');
  const b = await f.client.get(CM, 'kube-root-ca.crt', { namespace: 'b' });
  assert.equal(b.metadata.annotations?.['kubernetes.io/description'], DESCRIPTION);
  await f.stop();
});

test('a deleted or edited kube-root-ca.crt queues its namespace and is recreated through the work queue; other ConfigMaps do not', async () => {
  const f = newFixture([ns('a')]);
  const c = new RootCACertPublisher({ client: f.client, factory: f.factory, clock: f.clock, rootCA: CA });
  await f.start();
  const ac = new AbortController();
  const running = c.run(ac.signal, 1);
  try {
    const current = async () => f.client.get(CM, 'kube-root-ca.crt', { namespace: 'a' }).then((cm) => cm as KubeObject & { data?: Record<string, string> }, () => undefined);
    const until = async (what: string, ok: () => Promise<boolean>) => {
      for (let i = 0; i < 500 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(await ok(), what);
    };
    await until('created for the namespace', async () => (await current())?.data?.['ca.crt'] === CA);
    await f.client.delete(CM, 'kube-root-ca.crt', { namespace: 'a' });
    await until('recreated after delete', async () => (await current())?.data?.['ca.crt'] === CA);
    const cm = (await current())!;
    await f.client.update(CM, { ...cm, data: { 'ca.crt': 'edited' } }, { namespace: 'a' });
    await until('put back after edit', async () => (await current())?.data?.['ca.crt'] === CA);
    f.client.clearActions();
    await f.client.create(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other', namespace: 'a' }, data: {} }, { namespace: 'a' });
    await f.settle();
    assert.deepEqual(f.writes(), ['create configmaps a/other']);
  } finally {
    ac.abort();
    await running;
    await f.stop();
  }
});
