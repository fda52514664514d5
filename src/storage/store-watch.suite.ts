// SPDX-License-Identifier: Apache-2.0
/** The Store conformance suite's watch, concurrency and lifecycle groups (registered by store.suite.ts). */
import assert from 'node:assert/strict';
import { CompactedError, FutureRevisionError, KeyExistsError, RevisionConflictError, StoreClosedError, WatcherTooSlowError } from './errors.js';
import type { KeyValue } from './store.js';
import { changes, collect, revisionOf, writeTimeline, type StoreConformanceOptions, type Test } from './store-suite-support.js';

export function watchTests(opts: StoreConformanceOptions): Record<string, Test> {
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

export function concurrencyTests(): Record<string, Test> {
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

export function lifecycleTests(): Record<string, Test> {
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
