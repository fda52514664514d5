// SPDX-License-Identifier: Apache-2.0
/**
 * The Store conformance suite: every backend's test file calls
 * runStoreConformance, so the semantics written in store.ts are checked the
 * same way for sqlite, memory and (later) etcd. A backend that cannot meet a
 * test lists it in `skip` with the reason.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompactedError, FutureRevisionError, KeyExistsError, KeyNotFoundError, RevisionConflictError } from './errors.js';
import { writeTimeline, type StoreConformanceOptions, type StoreFixture, type Test } from './store-suite-support.js';
import { concurrencyTests, lifecycleTests, watchTests } from './store-watch.suite.js';

export type { StoreConformanceOptions, StoreFixture } from './store-suite-support.js';

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
