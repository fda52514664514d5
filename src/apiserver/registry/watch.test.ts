// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, WatchEvent } from '../../api/index.js';
import { MemoryStore } from '../../storage/index.js';
import { encodeObject } from './object-codec.js';
import { watchResource, type WatchRequest, type WatchResourceOptions } from './watch.js';

const PREFIX = '/registry/configmaps/';

function cm(name: string, labels?: Record<string, string>): KubeObject {
  return { metadata: { name, namespace: 'ns', labels }, data: { k: 'v' } };
}

/** options for a watch of ConfigMaps in `store` that counts its decodes (the registry's fromStorage). */
function options(store: MemoryStore, request: WatchRequest, signal: AbortSignal, decodes: { n: number }, apiVersion = 'v1'): WatchResourceOptions {
  return {
    store,
    prefix: PREFIX,
    request,
    signal,
    apiVersion,
    kind: 'ConfigMap',
    // As the registry's fromStorage: the stored version is stamped in place, another one is a converted copy.
    decode: async (obj) => {
      decodes.n++;
      if (apiVersion !== 'v1') return { ...obj, apiVersion, kind: 'ConfigMap' };
      obj.apiVersion = apiVersion;
      obj.kind = 'ConfigMap';
      return obj;
    },
    list: async () => ({ apiVersion, kind: 'ConfigMapList', metadata: { resourceVersion: String(await store.currentRevision()) }, items: [] }),
  };
}

async function take(it: AsyncIterator<WatchEvent>, n: number): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

test('every watcher of a write gets one shared served object, decoded once per served version', async () => {
  const store = new MemoryStore();
  const ac = new AbortController();
  const from = String(await store.currentRevision());
  const decodes = { n: 0 };
  const v1 = [0, 1, 2].map(() => watchResource(options(store, { resourceVersion: from }, ac.signal, decodes)));
  const other = { n: 0 };
  const v2 = watchResource(options(store, { resourceVersion: from }, ac.signal, other, 'example.com/v2'));
  const firsts = [...v1, v2].map((w) => w.next());
  await new Promise((resolve) => setImmediate(resolve)); // the watchers register (catch-up events are each watcher's own)
  const kv = await store.create(`${PREFIX}ns/a`, encodeObject(cm('a')));
  const got = (await Promise.all(firsts)).map((r) => r.value as WatchEvent & { source?: unknown });
  assert.ok(got.every((e) => e.type === 'ADDED' && e.source === got[0]!.source));
  assert.deepEqual(got[0]!.source, kv);
  assert.equal(got[0]!.object, got[1]!.object);
  assert.equal(got[1]!.object, got[2]!.object);
  assert.equal(decodes.n, 1, 'the three v1 watchers share one decode');
  assert.equal(other.n, 1, 'another served version is decoded on its own');
  assert.equal(got[0]!.object.metadata.resourceVersion, String(kv.modRevision));
  assert.deepEqual(got[0]!.object, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns', resourceVersion: String(kv.modRevision) }, data: { k: 'v' } });
  ac.abort();
  for (const w of [...v1, v2]) assert.deepEqual(await w.next(), { value: undefined, done: true });
});

test('selector transitions, bookmarks and the end of a watch are unchanged', async () => {
  const store = new MemoryStore({ progressIntervalMs: 20 });
  const ac = new AbortController();
  const decodes = { n: 0 };
  const w = watchResource(options(store, { resourceVersion: String(await store.currentRevision()), predicate: (o) => o.metadata.labels?.app === 'web', allowBookmarks: true }, ac.signal, decodes));
  const a = await store.create(`${PREFIX}ns/a`, encodeObject(cm('a', { app: 'web' })));
  const b = await store.update(`${PREFIX}ns/a`, encodeObject(cm('a', { app: 'db' })), a.modRevision);
  await store.create(`${PREFIX}ns/other`, encodeObject(cm('other', { app: 'db' })));
  const c = await store.update(`${PREFIX}ns/a`, encodeObject(cm('a', { app: 'web' })), b.modRevision);
  const d = await store.delete(`${PREFIX}ns/a`);
  const events = await take(w, 4);
  assert.deepEqual(
    events.map((e) => [e.type, e.object.metadata.resourceVersion]),
    [
      ['ADDED', String(a.modRevision)],
      ['DELETED', String(b.modRevision)],
      ['ADDED', String(c.modRevision)],
      ['DELETED', String(d.modRevision)],
    ],
  );
  // Idle: a progress notification becomes a bookmark at the current revision (the broadcaster's timer is unref'd).
  const keepAlive = setTimeout(() => undefined, 10_000);
  const [bookmark] = await take(w, 1);
  clearTimeout(keepAlive);
  assert.equal(bookmark!.type, 'BOOKMARK');
  assert.equal(bookmark!.object.metadata.resourceVersion, String(d.modRevision));
  assert.deepEqual(await w.return!(), { value: undefined, done: true });
  assert.deepEqual(await w.next(), { value: undefined, done: true });
  ac.abort();
});

test('a compacted revision is a 410 ERROR event, then the end; return() before the first next() lists nothing', async () => {
  const store = new MemoryStore();
  const first = await store.create(`${PREFIX}ns/a`, encodeObject(cm('a')));
  const second = await store.update(`${PREFIX}ns/a`, encodeObject(cm('a', { x: 'y' })), first.modRevision);
  await store.compact(second.modRevision);
  const decodes = { n: 0 };
  const w = watchResource(options(store, { resourceVersion: String(first.modRevision - 1) }, new AbortController().signal, decodes));
  const [gone] = await take(w, 1);
  assert.equal(gone!.type, 'ERROR');
  assert.equal((gone!.object as unknown as { code: number }).code, 410);
  assert.deepEqual(await w.next(), { value: undefined, done: true });

  let listed = 0;
  const o = options(store, {}, new AbortController().signal, decodes);
  const unstarted = watchResource({ ...o, list: (rv) => (listed++, o.list(rv)) });
  assert.deepEqual(await unstarted.return!(), { value: undefined, done: true });
  assert.deepEqual(await unstarted.next(), { value: undefined, done: true });
  assert.equal(listed, 0);
});

test('timeoutSeconds ends the stream and a failing conversion ends it with the error', async () => {
  const store = new MemoryStore();
  const decodes = { n: 0 };
  const timed = watchResource(options(store, { resourceVersion: String(await store.currentRevision()), timeoutSeconds: 0.05 }, new AbortController().signal, decodes));
  assert.deepEqual(await timed.next(), { value: undefined, done: true });

  const o = options(store, { resourceVersion: String(await store.currentRevision()) }, new AbortController().signal, decodes);
  const failing = watchResource({ ...o, decode: async () => Promise.reject(new Error('conversion webhook failed')) });
  const next = failing.next();
  await new Promise((resolve) => setImmediate(resolve));
  await store.create(`${PREFIX}ns/b`, encodeObject(cm('b')));
  await assert.rejects(next, /conversion webhook failed/);
  assert.deepEqual(await failing.next(), { value: undefined, done: true });
});
