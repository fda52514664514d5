// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/object.js';
import { R } from './client.js';
import { FakeClient } from './fake-client.js';
import { InformerFactory } from './informer-factory.js';
import { keyOf, splitKey } from './indexed-cache.js';

function pod(name: string, node = ''): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns1', labels: { app: 'a' } }, spec: { nodeName: node, containers: [] } };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), 'condition not reached');
}

test('keyOf and splitKey round-trip', () => {
  assert.equal(keyOf({ metadata: { namespace: 'a', name: 'b' } }), 'a/b');
  assert.equal(keyOf({ metadata: { name: 'n' } }), 'n');
  assert.deepEqual(splitKey('a/b'), { namespace: 'a', name: 'b' });
  assert.deepEqual(splitKey('n'), { namespace: '', name: 'n' });
});

test('informer lists, watches, indexes and tells handlers', async () => {
  const client = new FakeClient([pod('p1', 'n1'), pod('p2')]);
  const factory = new InformerFactory(client);
  const inf = factory.informer(R.pods);
  assert.equal(factory.informer(R.pods), inf, 'shared per resource');
  inf.addIndexer('node', (p) => [(p.spec as { nodeName?: string }).nodeName ?? '']);
  const seen: string[] = [];
  inf.addEventHandler({
    onAdd: (o) => seen.push(`add ${o.metadata.name}`),
    onUpdate: (_o, n) => seen.push(`update ${n.metadata.name}`),
    onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
  });
  const ac = new AbortController();
  factory.start(ac.signal);
  assert.equal(await factory.waitForSync(ac.signal), true);
  assert.equal(inf.hasSynced(), true);
  assert.deepEqual(inf.list().map((p) => p.metadata.name).sort(), ['p1', 'p2']);
  assert.equal(inf.byIndex('node', 'n1')[0].metadata.name, 'p1');
  assert.equal(inf.listNamespace('ns1').length, 2);

  await until(() => client.actions.some((a) => a.verb === 'watch'));
  const p1 = await client.get(R.pods, 'p1', { namespace: 'ns1' });
  (p1.spec as { nodeName: string }).nodeName = 'n2';
  await client.update(R.pods, p1);
  await client.create(R.pods, pod('p3'), { namespace: 'ns1' });
  await client.delete(R.pods, 'p2', { namespace: 'ns1' });
  await until(() => seen.length === 5);
  assert.deepEqual(seen, ['add p1', 'add p2', 'update p1', 'add p3', 'delete p2']);
  assert.equal(inf.byIndex('node', 'n1').length, 0, 'old index value dropped');
  assert.equal(inf.byIndex('node', 'n2')[0].metadata.name, 'p1');
  assert.equal(inf.get('ns1/p2'), undefined);

  const late: string[] = [];
  inf.addEventHandler({ onAdd: (o) => late.push(o.metadata.name!) });
  assert.deepEqual(late.sort(), ['p1', 'p3'], 'a late handler sees the cache as adds');
  ac.abort();
  await factory.stopped();
});

test('informer re-lists after a 410 ERROR event and reports the difference', async () => {
  const client = new FakeClient([pod('p1'), pod('p2')]);
  const realWatch = client.watch.bind(client);
  let openGate!: () => void;
  const gate = new Promise<void>((r) => (openGate = r));
  let watches = 0;
  // The first watch sees nothing, then fails with 410: what the informer missed meanwhile comes from the re-list.
  client.watch = ((ref, opts) => {
    if (watches++ > 0) return realWatch(ref, opts);
    return (async function* () {
      await gate;
      yield { type: 'ERROR', object: { metadata: {}, kind: 'Status', code: 410, message: 'too old resource version' } };
    })();
  }) as typeof client.watch;
  const factory = new InformerFactory(client);
  const inf = factory.informer(R.pods);
  const seen: string[] = [];
  inf.addEventHandler({ onAdd: (o) => seen.push(`add ${o.metadata.name}`), onDelete: (o) => seen.push(`delete ${o.metadata.name}`) });
  const ac = new AbortController();
  factory.start(ac.signal);
  await factory.waitForSync();
  await client.delete(R.pods, 'p2', { namespace: 'ns1' });
  await client.create(R.pods, pod('p3'), { namespace: 'ns1' });
  openGate();
  await until(() => seen.length === 4);
  assert.deepEqual(seen, ['add p1', 'add p2', 'add p3', 'delete p2']);
  assert.equal(client.actions.filter((a) => a.verb === 'list').length, 2);
  ac.abort();
  await factory.stopped();
});
