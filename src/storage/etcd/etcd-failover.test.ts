// SPDX-License-Identifier: Apache-2.0
/**
 * The etcd backend when etcd misbehaves: a dead member, a cluster without
 * quorum, a member that comes back, and a consumer that reads slowly. Real
 * etcd processes, killed with SIGKILL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startEtcdCluster } from '../../../test/harness/etcd-cluster.js';
import { waitFor } from '../../../test/harness/wait-for.js';
import { StoreUnavailableError } from '../errors.js';
import type { StoreEvent } from '../store.js';
import { EtcdStore } from './etcd-store.js';

type Change = Exclude<StoreEvent, { type: 'progress' }>;

/** readChanges pulls from a watch until `count` changes arrived (progress events skipped). */
async function readChanges(it: AsyncIterator<StoreEvent>, count: number): Promise<Change[]> {
  const out: Change[] = [];
  while (out.length < count) {
    const r = await it.next();
    if (r.done) throw new Error(`watch ended after ${out.length} of ${count} changes`);
    if (r.value.type !== 'progress') out.push(r.value);
  }
  return out;
}

test('an unreachable etcd fails writes and health checks in bounded time, and service resumes by itself', async () => {
  const etcd = await startEtcdCluster();
  const store = EtcdStore.open({ endpoints: [etcd.members[0]!.clientURL], requestTimeoutMs: 2_000, healthTimeoutMs: 1_000, compactIntervalMs: 0 });
  try {
    const before = await store.create('/u/before', '{}');
    const ac = new AbortController();
    const it = store.watch({ prefix: '/u/', afterRevision: before.modRevision, signal: ac.signal })[Symbol.asyncIterator]();
    const established = readChanges(it, 1);
    await store.create('/u/established', '{}');
    await established;
    const firstChange = readChanges(it, 2);
    await etcd.kill(0);
    const started = Date.now();
    await assert.rejects(store.create('/u/during', '{}'), (err) => err instanceof StoreUnavailableError && /etcd at http:\/\/127\.0\.0\.1:\d+ is unavailable/.test(err.message));
    await assert.rejects(store.get('/u/before'), StoreUnavailableError);
    await assert.rejects(store.checkHealth(), StoreUnavailableError);
    assert.ok(Date.now() - started < 30_000, 'the failures came after the request deadline, not never');
    await etcd.start(0);
    await waitFor('writes to work again', () => store.create('/u/after', '{"n":1}').then(() => true), 30_000, 250);
    await store.checkHealth();
    const after = await store.get('/u/after');
    await store.update('/u/after', '{"n":2}', after!.modRevision);
    // The watch opened before the outage delivers what was written after it, in order, once.
    const seen = await firstChange;
    assert.deepEqual(seen.map((e) => [e.type, e.kv.key, e.kv.value]), [['put', '/u/after', '{"n":1}'], ['put', '/u/after', '{"n":2}']]);
    ac.abort();
  } finally {
    await store.close();
    await etcd.stop();
  }
});

test('a 3-member cluster loses a member under concurrent writes: every acknowledged write stays, watches go on', async () => {
  const etcd = await startEtcdCluster({ size: 3 });
  const store = EtcdStore.open({ endpoints: etcd.members.map((m) => m.clientURL), requestTimeoutMs: 5_000, compactIntervalMs: 0 });
  try {
    const start = await store.currentRevision();
    const ac = new AbortController();
    const it = store.watch({ prefix: '/w/', afterRevision: start, signal: ac.signal })[Symbol.asyncIterator]();
    const acknowledged: number[] = [];
    let failed = 0;
    const writer = async (w: number) => {
      for (let i = 0; i < 60; i++) {
        try {
          acknowledged.push((await store.create(`/w/${w}-${i}`, `{"w":${w},"i":${i}}`)).modRevision);
        } catch (err) {
          if (!(err instanceof StoreUnavailableError)) throw err;
          failed++;
        }
      }
    };
    const writing = Promise.all([0, 1, 2, 3, 4].map(writer));
    await waitFor('some writes', () => acknowledged.length >= 40, 30_000, 20);
    await etcd.kill(0); // the store's first (active) endpoint
    await writing;
    assert.ok(acknowledged.length >= 200, `${acknowledged.length} of 300 writes acknowledged, ${failed} failed`);
    const stored = await store.list({ prefix: '/w/' });
    const storedRevisions = new Set(stored.items.map((kv) => kv.modRevision));
    for (const rev of acknowledged) assert.ok(storedRevisions.has(rev), `acknowledged write at revision ${rev} is readable`);
    const events = await readChanges(it, stored.items.length);
    assert.deepEqual(events.map((e) => e.kv.modRevision), stored.items.map((kv) => kv.modRevision).sort((a, b) => a - b));
    ac.abort();
  } finally {
    await store.close();
    await etcd.stop();
  }
});

test('two of three members down: writes fail clearly; one back: service resumes', async () => {
  const etcd = await startEtcdCluster({ size: 3 });
  const store = EtcdStore.open({ endpoints: etcd.members.map((m) => m.clientURL), requestTimeoutMs: 3_000, healthTimeoutMs: 1_000, compactIntervalMs: 0 });
  try {
    await store.create('/q/a', '{}');
    await etcd.kill(1);
    await etcd.kill(2);
    await assert.rejects(store.create('/q/b', '{}'), StoreUnavailableError);
    await assert.rejects(store.checkHealth(), StoreUnavailableError);
    assert.equal(await store.get('/q/b').catch(() => undefined), undefined);
    await etcd.start(2);
    await waitFor('quorum again', () => store.create('/q/c', '{}').then(() => true), 60_000, 250);
    await store.checkHealth();
    assert.deepEqual((await store.list({ prefix: '/q/' })).items.map((kv) => kv.key).filter((k) => k !== '/q/b'), ['/q/a', '/q/c']);
  } finally {
    await store.close();
    await etcd.stop();
  }
});

test('a watcher that reads slowly is paused, not ended, and gets every event in order', async () => {
  const etcd = await startEtcdCluster();
  const store = EtcdStore.open({ endpoints: [etcd.members[0]!.clientURL], compactIntervalMs: 0 });
  try {
    const start = await store.currentRevision();
    const it = store.watch({ prefix: '/s/', afterRevision: start, signal: new AbortController().signal })[Symbol.asyncIterator]();
    const first = it.next();
    const written: number[] = [];
    for (let batch = 0; batch < 30; batch++) {
      written.push(...(await Promise.all(Array.from({ length: 100 }, (_, i) => store.create(`/s/${batch}-${i}`, 'x'.repeat(200))))).map((kv) => kv.modRevision));
    }
    written.sort((a, b) => a - b);
    const firstEvent = (await first).value as Change;
    const rest = await readChanges(it, written.length - 1);
    assert.deepEqual([firstEvent, ...rest].map((e) => e.kv.modRevision), written);
    await it.return?.();
  } finally {
    await store.close();
    await etcd.stop();
  }
});
