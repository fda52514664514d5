// SPDX-License-Identifier: Apache-2.0
/**
 * The Store conformance suite: every backend's test file calls
 * runStoreConformance, so the semantics written in store.ts are checked the
 * same way for sqlite, memory and (later) etcd. A backend that cannot meet a
 * test lists it in `skip` with the reason.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { CompactedError, FutureRevisionError, KeyExistsError, KeyNotFoundError, RevisionConflictError, StoreClosedError, WatcherTooSlowError } from './errors.js';
import type { KeyValue, Store, StoreEvent } from './store.js';

/** StoreFixture is one fresh, empty store and how to dispose of it. */
export interface StoreFixture {
  store: Store;
  /** cleanup closes the newest store (the one reopen returned, if any) and removes its data. */
  cleanup(): Promise<void>;
  /** reopen closes the store and opens the same data again (durable backends only). */
  reopen?(): Promise<Store>;
}

/** StoreConformanceOptions says what the suite may assume about a backend's settings. */
export interface StoreConformanceOptions {
  /** An idle watch gets a progress event within this many ms (default 2,000). */
  progressWithinMs?: number;
  /** The backend's bound on queued watch events; without it the slow-watcher test is skipped. */
  watchQueueLimit?: number;
  /** Test titles to skip, each with the reason. */
  skip?: Record<string, string>;
}

type Test = (f: StoreFixture, t: TestContext) => Promise<void>;

/** runStoreConformance registers the conformance tests for one backend under `describe(name)`. */
export function runStoreConformance(name: string, makeStore: () => Promise<StoreFixture>, opts: StoreConformanceOptions = {}): void {
  const tests: Record<string, Test> = {
    ...revisionTests(),
    ...writeTests(),
    ...listTests(),
    ...watchTests(opts),
    ...concurrencyTests(),
    ...lifecycleTests(),
  };
  describe(name, () => {
    for (const [title, test] of Object.entries(tests)) {
      it(title, { skip: opts.skip?.[title] ?? false }, async (t) => {
        const fixture = await makeStore();
        try {
          await test(fixture, t);
        } finally {
          await fixture.cleanup();
        }
      });
    }
  });
}

/** writeTimeline performs a small history under prefix and returns each write's revision. */
async function writeTimeline(s: Store, prefix: string): Promise<number[]> {
  const a = await s.create(`${prefix}a`, '{"v":1}');
  const b = await s.create(`${prefix}b`, '{"v":1}');
  const a2 = await s.update(`${prefix}a`, '{"v":2}', a.modRevision);
  const bd = await s.delete(`${prefix}b`, b.modRevision);
  return [a.modRevision, b.modRevision, a2.modRevision, bd.modRevision];
}

/** collect reads a watch until `done` says so (or it ends), failing after timeoutMs. */
async function collect(events: AsyncIterable<StoreEvent>, done: (seen: StoreEvent[]) => boolean, timeoutMs = 5_000): Promise<StoreEvent[]> {
  const seen: StoreEvent[] = [];
  const it = events[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  while (!done(seen)) {
    const left = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`watch timed out after ${seen.length} events`)), left)));
    try {
      const r = await Promise.race([it.next(), timeout]);
      if (r.done) break;
      seen.push(r.value);
    } finally {
      clearTimeout(timer);
    }
  }
  await it.return?.();
  return seen;
}

function revisionOf(e: StoreEvent): number {
  return e.type === 'progress' ? e.revision : e.kv.modRevision;
}

function changes(events: StoreEvent[]): Exclude<StoreEvent, { type: 'progress' }>[] {
  return events.filter((e): e is Exclude<StoreEvent, { type: 'progress' }> => e.type !== 'progress');
}

function revisionTests(): Record<string, Test> {
  return {
    'a fresh store has a current revision of at least 1 and nothing compacted past it': async ({ store }) => {
      const current = await store.currentRevision();
      assert.ok(current >= 1, `current revision ${current}: "0" means "any" to the apiserver`);
      assert.ok((await store.compactedRevision()) <= current);
    },
    'every write takes the next revision and failed writes take none': async ({ store }) => {
      let last = await store.currentRevision();
      for (const rev of await writeTimeline(store, '/t/')) {
        assert.ok(rev > last, `revision ${rev} after ${last}`);
        last = rev;
      }
      assert.equal(await store.currentRevision(), last);
      await assert.rejects(store.create('/t/a', '{}'), KeyExistsError);
      await assert.rejects(store.update('/t/a', '{}', 1), RevisionConflictError);
      await assert.rejects(store.delete('/t/b'), KeyNotFoundError);
      assert.equal(await store.currentRevision(), last);
    },
    'revisions keep growing and data survives reopening, even after compacting the newest write': async (f, t) => {
      if (!f.reopen) return t.skip('the backend is not durable (its fixture has no reopen)');
      await writeTimeline(f.store, '/r/');
      const gone = await f.store.delete('/r/a');
      await f.store.compact(gone.modRevision);
      const kept = await f.store.create('/r/kept', '{"x":1}');
      const before = await f.store.currentRevision();
      const store = await f.reopen();
      assert.equal(await store.currentRevision(), before);
      assert.deepEqual(await store.get('/r/kept'), kept);
      assert.equal(await store.compactedRevision(), gone.modRevision);
      const next = await store.create('/r/a', '{}');
      assert.ok(next.modRevision > before, `revision ${next.modRevision} after reopen, before ${before}`);
    },
  };
}

function writeTests(): Record<string, Test> {
  return {
    'create, get and update keep createRevision and advance modRevision': async ({ store }) => {
      const created = await store.create('/w/x', '{"n":1}');
      assert.equal(created.createRevision, created.modRevision);
      assert.deepEqual(await store.get('/w/x'), created);
      const updated = await store.update('/w/x', '{"n":2}', created.modRevision);
      assert.deepEqual(updated, { key: '/w/x', value: '{"n":2}', createRevision: created.createRevision, modRevision: updated.modRevision });
      assert.ok(updated.modRevision > created.modRevision);
      assert.deepEqual(await store.get('/w/x'), updated);
      assert.equal(await store.get('/w/missing'), undefined);
    },
    'conflicts and missing keys are reported with the right errors': async ({ store }) => {
      const kv = await store.create('/w/x', '{}');
      await assert.rejects(store.create('/w/x', '{}'), (e) => e instanceof KeyExistsError && e.key === '/w/x');
      const updated = await store.update('/w/x', '{"a":1}', kv.modRevision);
      await assert.rejects(store.update('/w/x', '{}', kv.modRevision), (e) => e instanceof RevisionConflictError && e.expected === kv.modRevision && e.actual === updated.modRevision);
      await assert.rejects(store.delete('/w/x', kv.modRevision), RevisionConflictError);
      await assert.rejects(store.update('/w/nope', '{}', 1), KeyNotFoundError);
      await assert.rejects(store.delete('/w/nope'), KeyNotFoundError);
      assert.deepEqual(await store.get('/w/x'), updated);
    },
    'delete returns the last value at the delete revision and the key can be created again': async ({ store }) => {
      const kv = await store.create('/w/x', '{"v":1}');
      const deleted = await store.delete('/w/x', kv.modRevision);
      assert.equal(deleted.value, '{"v":1}');
      assert.equal(deleted.createRevision, kv.createRevision);
      assert.equal(deleted.modRevision, await store.currentRevision());
      assert.equal(await store.get('/w/x'), undefined);
      await assert.rejects(store.update('/w/x', '{}', deleted.modRevision), KeyNotFoundError);
      const again = await store.create('/w/x', '{"v":2}');
      assert.equal(again.createRevision, again.modRevision);
      assert.ok(again.createRevision > deleted.modRevision);
      const plain = await store.delete('/w/x'); // no expected revision: unconditional
      assert.equal(plain.value, '{"v":2}');
    },
  };
}

function listTests(): Record<string, Test> {
  return {
    'list returns keys in lexical order under exactly the prefix': async ({ store }) => {
      for (const k of ['/a/c', '/ab/x', '/a/a', '/a', '/b/a', '/a/b/deep', '/a/b', '/a0']) await store.create(k, JSON.stringify(k));
      const r = await store.list({ prefix: '/a/' });
      assert.deepEqual(r.items.map((i) => i.key), ['/a/a', '/a/b', '/a/b/deep', '/a/c']);
      assert.equal(r.items[0]!.value, '"/a/a"');
      assert.equal(r.revision, await store.currentRevision());
      assert.equal(r.continueAfter, undefined);
      assert.equal(await store.count('/a/'), 4);
      assert.equal(await store.count('/ab/'), 1);
      await store.delete('/a/b');
      assert.equal(await store.count('/a/'), 3);
      assert.deepEqual((await store.list({ prefix: '/a/' })).items.map((i) => i.key), ['/a/a', '/a/b/deep', '/a/c']);
      assert.equal((await store.list({ prefix: '' })).items.length, 7);
    },
    'paging stays at the first page revision while writes happen between pages': async ({ store }) => {
      const keys = Array.from({ length: 25 }, (_, i) => `/p/k${String(i).padStart(2, '0')}`);
      for (const k of keys) await store.create(k, '{"gen":1}');
      const whole = await store.list({ prefix: '/p/' });
      const first = await store.list({ prefix: '/p/', limit: 10 });
      assert.equal(first.items.length, 10);
      assert.equal(first.continueAfter, keys[9]);
      if (first.remaining !== undefined) assert.equal(first.remaining, 15);
      const k20 = await store.get(keys[20]!);
      await store.update(keys[20]!, '{"gen":2}', k20!.modRevision);
      await store.delete(keys[21]!);
      await store.create('/p/k15a', '{}');
      const pages = [first];
      while (pages[pages.length - 1]!.continueAfter) {
        const prev = pages[pages.length - 1]!;
        pages.push(await store.list({ prefix: '/p/', limit: 10, startAfter: prev.continueAfter, revision: first.revision }));
      }
      assert.ok(pages.every((p) => p.revision === first.revision));
      assert.deepEqual(pages.flatMap((p) => p.items), whole.items);
      const now = await store.list({ prefix: '/p/' });
      assert.equal(now.items.length, 25);
      assert.ok(now.items.some((i) => i.key === '/p/k15a'));
    },
    'list reads older revisions until they are compacted and refuses future ones': async ({ store }) => {
      const [a, b, a2] = await writeTimeline(store, '/o/');
      const atB = await store.list({ prefix: '/o/', revision: b! });
      assert.deepEqual(atB.items.map((i) => [i.key, i.value, i.modRevision]), [['/o/a', '{"v":1}', a], ['/o/b', '{"v":1}', b]]);
      assert.equal(atB.revision, b);
      const atA2 = await store.list({ prefix: '/o/', revision: a2! });
      assert.deepEqual(atA2.items.map((i) => [i.key, i.value]), [['/o/a', '{"v":2}'], ['/o/b', '{"v":1}']]);
      const current = await store.currentRevision();
      await assert.rejects(store.list({ prefix: '/o/', revision: current + 1 }), FutureRevisionError);
      await store.compact(a2!);
      assert.equal(await store.compactedRevision(), a2);
      await assert.rejects(store.list({ prefix: '/o/', revision: b! }), CompactedError);
      const atCompacted = await store.list({ prefix: '/o/', revision: a2! });
      assert.deepEqual(atCompacted.items.map((i) => [i.key, i.value]), [['/o/a', '{"v":2}'], ['/o/b', '{"v":1}']]);
      assert.deepEqual((await store.list({ prefix: '/o/' })).items.map((i) => i.key), ['/o/a']);
    },
  };
}

function watchTests(opts: StoreConformanceOptions): Record<string, Test> {
  return {
    'watch replays history after a revision, then live events, without gaps or duplicates': async ({ store }) => {
      const history = await writeTimeline(store, '/h/');
      for (let i = 0; i < 60; i++) {
        history.push((await store.create(`/h/old${i}`, '{}')).modRevision);
        await store.create(`/other/x${i}`, '{}'); // interleaved writes outside the prefix
      }
      const ac = new AbortController();
      const watching = collect(store.watch({ prefix: '/h/', afterRevision: history[0]!, signal: ac.signal }), (s) => changes(s).some((e) => e.kv.key === '/h/last'));
      const live: number[] = [];
      for (let i = 0; i < 50; i++) {
        live.push((await store.create(`/h/live${i}`, '{}')).modRevision);
        if (i % 7 === 0) await new Promise((r) => setImmediate(r)); // let the watcher interleave
      }
      live.push((await store.create('/h/last', '{}')).modRevision);
      const seen = changes(await watching);
      ac.abort();
      assert.deepEqual(seen.map(revisionOf), [...history.slice(1), ...live]);
      assert.deepEqual(seen.slice(0, 3).map((e) => [e.type, e.kv.key]), [['put', '/h/b'], ['put', '/h/a'], ['delete', '/h/b']]);
    },
    'put events carry the previous value and delete events the deleted one': async ({ store }) => {
      const start = await store.currentRevision();
      const history = await writeTimeline(store, '/e/');
      const seen = changes(await collect(store.watch({ prefix: '/e/', afterRevision: start, signal: new AbortController().signal }), (s) => changes(s).length >= 4));
      const [createA, , updateA, deleteB] = seen;
      assert.equal(createA!.prev, undefined);
      assert.deepEqual(updateA!.prev, { key: '/e/a', value: '{"v":1}', createRevision: history[0], modRevision: history[0] });
      assert.equal(deleteB!.type, 'delete');
      assert.deepEqual(deleteB!.prev, { key: '/e/b', value: '{"v":1}', createRevision: history[1], modRevision: history[1] });
      assert.equal(deleteB!.kv.modRevision, history[3]);
      // The same again live, not from the log.
      const ac = new AbortController();
      const live = collect(store.watch({ prefix: '/e/', afterRevision: await store.currentRevision(), signal: ac.signal }), (s) => changes(s).length >= 2);
      const a = await store.get('/e/a');
      await store.update('/e/a', '{"v":3}', a!.modRevision);
      await store.delete('/e/a');
      const [put, del] = changes(await live);
      assert.equal(put!.prev?.value, '{"v":2}');
      assert.deepEqual(del!.prev, { key: '/e/a', value: '{"v":3}', createRevision: history[0], modRevision: put!.kv.modRevision });
    },
    'watch from a compacted revision fails with CompactedError': async ({ store }) => {
      const history = await writeTimeline(store, '/c/');
      await store.compact(history[2]!);
      const it = store.watch({ prefix: '/c/', afterRevision: history[0]!, signal: new AbortController().signal })[Symbol.asyncIterator]();
      await assert.rejects(it.next(), CompactedError);
      const fromCompacted = await collect(store.watch({ prefix: '/c/', afterRevision: history[2]!, signal: new AbortController().signal }), (s) => s.length >= 1);
      assert.equal(revisionOf(fromCompacted[0]!), history[3]);
    },
    'an idle watch receives progress events at the current revision': async ({ store }) => {
      await store.create('/q/x', '{}');
      const ac = new AbortController();
      const watching = collect(store.watch({ prefix: '/idle/', afterRevision: await store.currentRevision(), signal: ac.signal }), (s) => s.length >= 1, opts.progressWithinMs ?? 2_000);
      await store.create('/q/y', '{}'); // outside the prefix: not an event, but it moves the revision
      const [event] = await watching;
      ac.abort();
      assert.equal(event?.type, 'progress');
      assert.equal(revisionOf(event!), await store.currentRevision());
    },
    'a watcher that falls too far behind is ended with WatcherTooSlowError': async ({ store }, t) => {
      if (opts.watchQueueLimit === undefined) return t.skip('no watchQueueLimit given for this backend');
      const it = store.watch({ prefix: '/s/', afterRevision: await store.currentRevision(), signal: new AbortController().signal })[Symbol.asyncIterator]();
      const first = it.next(); // start the watch
      await store.create('/s/first', '{}');
      assert.equal((await first).done, false);
      for (let i = 0; i < opts.watchQueueLimit + 10; i++) await store.create(`/s/k${i}`, '{}');
      let delivered = 0;
      await assert.rejects(async () => {
        for (let r = await it.next(); !r.done; r = await it.next()) delivered++;
      }, WatcherTooSlowError);
      assert.ok(delivered < opts.watchQueueLimit + 10, 'not every event was delivered, so the watch had to end');
    },
    'a watch ends when its signal aborts': async ({ store }) => {
      const ac = new AbortController();
      const it = store.watch({ prefix: '/x/', afterRevision: await store.currentRevision(), signal: ac.signal })[Symbol.asyncIterator]();
      const pending = it.next();
      ac.abort();
      assert.equal((await pending).done, true);
    },
  };
}

function concurrencyTests(): Record<string, Test> {
  return {
    'hundreds of concurrent creates all take distinct revisions': async ({ store }) => {
      const created = await Promise.all(Array.from({ length: 300 }, (_, i) => store.create(`/cc/k${i}`, `{"i":${i}}`)));
      assert.equal(new Set(created.map((kv) => kv.modRevision)).size, 300);
      assert.equal(await store.count('/cc/'), 300);
      const same = await Promise.allSettled(Array.from({ length: 100 }, () => store.create('/cc/same', '{}')));
      assert.equal(same.filter((r) => r.status === 'fulfilled').length, 1);
      assert.ok(same.every((r) => r.status === 'fulfilled' || r.reason instanceof KeyExistsError));
    },
    'concurrent updates race on the expected revision and none is lost': async ({ store }) => {
      const kv = await store.create('/cu/counter', '0');
      const racing = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => store.update('/cu/counter', String(i), kv.modRevision)));
      assert.equal(racing.filter((r) => r.status === 'fulfilled').length, 1);
      assert.ok(racing.every((r) => r.status === 'fulfilled' || r.reason instanceof RevisionConflictError));
      await store.update('/cu/counter', '0', (await store.get('/cu/counter'))!.modRevision);
      const increment = async (): Promise<void> => {
        for (;;) {
          const cur: KeyValue = (await store.get('/cu/counter'))!;
          try {
            await store.update('/cu/counter', String(Number(cur.value) + 1), cur.modRevision);
            return;
          } catch (err) {
            if (!(err instanceof RevisionConflictError)) throw err;
          }
        }
      };
      await Promise.all(Array.from({ length: 200 }, increment));
      assert.equal((await store.get('/cu/counter'))!.value, '200');
    },
  };
}

function lifecycleTests(): Record<string, Test> {
  return {
    'compact keeps every live value and refuses future revisions': async ({ store }) => {
      await writeTimeline(store, '/k/');
      const current = await store.currentRevision();
      await assert.rejects(store.compact(current + 1), FutureRevisionError);
      await store.compact(current);
      await store.compact(current - 1); // older than the compacted revision: nothing to do
      assert.equal(await store.compactedRevision(), current);
      assert.deepEqual((await store.list({ prefix: '/k/' })).items.map((i) => [i.key, i.value]), [['/k/a', '{"v":2}']]);
      const after = await store.create('/k/b', '{}');
      assert.ok(after.modRevision > current);
    },
    'close ends pending watches and later calls fail with StoreClosedError': async (f) => {
      const it = f.store.watch({ prefix: '/z/', afterRevision: await f.store.currentRevision(), signal: new AbortController().signal })[Symbol.asyncIterator]();
      const pending = it.next();
      await f.store.close();
      assert.equal((await pending).done, true);
      await assert.rejects(f.store.get('/z/a'), StoreClosedError);
      await assert.rejects(f.store.create('/z/a', '{}'), StoreClosedError);
    },
  };
}
