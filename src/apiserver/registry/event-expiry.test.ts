// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../storage/index.js';
import { EventExpiry, lastWrite } from './event-expiry.js';

const HOUR = 3600_000;
const now = Date.parse('2026-12-07T12:00:00Z');
const iso = (msAgo: number) => new Date(now - msAgo).toISOString().replace(/\.\d+Z$/, 'Z');

test('lastWrite is the newest of the timestamps a writer stamps', () => {
  assert.equal(lastWrite({ metadata: { creationTimestamp: iso(3 * HOUR) }, lastTimestamp: iso(HOUR) }), now - HOUR);
  assert.equal(lastWrite({ eventTime: '2026-12-07T11:30:00.000000Z', series: { lastObservedTime: '2026-12-07T11:45:00.000000Z' } }), now - 15 * 60_000);
  assert.equal(lastWrite({}), 0);
});

test('sweep deletes Events past the TTL since their last write, keeps the rest and Events written again meanwhile', async () => {
  const store = new MemoryStore();
  const put = (ns: string, name: string, body: object) => store.create(`/registry/events/${ns}/${name}`, JSON.stringify({ apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: ns }, ...body }));
  await put('a', 'old', { metadata: { creationTimestamp: iso(2 * HOUR) }, lastTimestamp: iso(2 * HOUR) });
  await put('a', 'repeated', { metadata: { creationTimestamp: iso(3 * HOUR) }, lastTimestamp: iso(10 * 60_000), count: 40 });
  await put('b', 'new-api', { eventTime: iso(90 * 60_000), series: { count: 2, lastObservedTime: iso(61 * 60_000) } });
  await put('b', 'fresh', { metadata: { creationTimestamp: iso(60_000) } });
  // Not an Event: never touched.
  await store.create('/registry/configmaps/a/old', JSON.stringify({ metadata: { creationTimestamp: iso(5 * HOUR) } }));
  for (let i = 0; i < 1200; i++) await put('c', `bulk-${i}`, { lastTimestamp: iso(2 * HOUR) });
  const expiry = new EventExpiry({ store, ttlMs: HOUR, now: () => now });
  assert.equal(await expiry.sweep(), 1202);
  const left = (await store.list({ prefix: '/registry/events/' })).items.map((kv) => kv.key).sort();
  assert.deepEqual(left, ['/registry/events/a/repeated', '/registry/events/b/fresh']);
  assert.ok(await store.get('/registry/configmaps/a/old'));
  assert.equal(await expiry.sweep(), 0);
  await store.close();
});

test('an Event updated between the list and the delete is kept (the delete is conditional)', async () => {
  const store = new MemoryStore();
  const key = '/registry/events/a/racing';
  const first = await store.create(key, JSON.stringify({ lastTimestamp: iso(2 * HOUR) }));
  // A store whose list answers the stale revision, as a list that raced with an update would.
  const racing = {
    list: async (opts: Parameters<MemoryStore['list']>[0]) => ({ ...(await store.list(opts)), items: [{ ...first }] }),
    delete: (k: string, rev?: number) => store.delete(k, rev),
  } as unknown as MemoryStore; // only list and delete are used by a sweep
  await store.update(key, JSON.stringify({ lastTimestamp: iso(0) }), first.modRevision);
  assert.equal(await new EventExpiry({ store: racing, ttlMs: HOUR, now: () => now }).sweep(), 0);
  assert.ok(await store.get(key));
  await store.close();
});
