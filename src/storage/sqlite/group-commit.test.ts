// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyExistsError, KeyNotFoundError, RevisionConflictError } from '../errors.js';
import { GroupCommit, type Transaction } from './group-commit.js';
import { SqliteStore } from './sqlite-store.js';

class Refused extends Error {}

/** A fake transaction that records what happened, in order, and fails the commits it is told to. */
function recordingTx(log: string[], failCommits = 0): Transaction {
  let failing = failCommits;
  return {
    begin: () => void log.push('begin'),
    commit: () => {
      if (failing > 0) {
        failing--;
        log.push('commit failed');
        throw new Error('disk I/O error');
      }
      log.push('commit');
    },
    rollback: () => void log.push('rollback'),
  };
}

/** manual holds the scheduled flush until the test runs it, so a batch's contents are known. */
function manual(): { schedule: (run: () => void) => void; run(): void } {
  let pending: (() => void) | undefined;
  return { schedule: (run) => void (pending = run), run: () => pending?.() };
}

describe('GroupCommit', () => {
  it('applies writes submitted together in order inside one transaction and answers after its commit', async () => {
    const log: string[] = [];
    const tick = manual();
    const gc = new GroupCommit<number>({
      tx: recordingTx(log),
      isRefusal: (e) => e instanceof Refused,
      committed: (rs) => void log.push(`committed ${rs.join(',')}`),
      schedule: tick.schedule,
    });
    const answers = [1, 2, 3].map((n) =>
      gc.submit(() => (log.push(`apply ${n}`), n)).then((v) => void log.push(`answered ${v}`)),
    );
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(log, [], 'nothing runs before the batch is flushed');
    tick.run();
    await Promise.all(answers);
    assert.deepEqual(log, ['begin', 'apply 1', 'apply 2', 'apply 3', 'commit', 'committed 1,2,3', 'answered 1', 'answered 2', 'answered 3']);
  });

  it('refuses a refused write alone and commits the others of its batch', async () => {
    const log: string[] = [];
    const tick = manual();
    const gc = new GroupCommit<number>({ tx: recordingTx(log), isRefusal: (e) => e instanceof Refused, committed: (rs) => void log.push(`committed ${rs.join(',')}`), schedule: tick.schedule });
    const a = gc.submit(() => 1);
    const b = gc.submit(() => {
      throw new Refused('stale');
    });
    const c = gc.submit(() => 3);
    tick.run();
    assert.equal(await a, 1);
    await assert.rejects(b, Refused);
    assert.equal(await c, 3);
    assert.deepEqual(log, ['begin', 'commit', 'committed 1,3']);
  });

  it('after a write fails the transaction, runs each write alone: only the failing write fails', async () => {
    const log: string[] = [];
    const tick = manual();
    const gc = new GroupCommit<number>({ tx: recordingTx(log), isRefusal: (e) => e instanceof Refused, committed: (rs) => void log.push(`committed ${rs.join(',')}`), schedule: tick.schedule });
    const results = [1, 2, 3].map((n) =>
      gc.submit(() => {
        if (n === 2) throw new Error('SQLITE_FULL');
        return n;
      }),
    );
    tick.run();
    const settled = await Promise.allSettled(results);
    assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled']);
    // The batch stopped at write 2's failure and was rolled back; then each write ran in its own transaction.
    assert.deepEqual(log, ['begin', 'rollback', 'begin', 'commit', 'committed 1', 'begin', 'rollback', 'begin', 'commit', 'committed 3']);
  });

  it('after a failed commit answers no write of the batch before a commit that holds it', async () => {
    const log: string[] = [];
    const tick = manual();
    const gc = new GroupCommit<number>({ tx: recordingTx(log, 1), isRefusal: () => false, committed: (rs) => void log.push(`committed ${rs.join(',')}`), schedule: tick.schedule });
    const results = [1, 2].map((n) => gc.submit(() => n).then((v) => (log.push(`answered ${v}`), v)));
    tick.run();
    assert.deepEqual(await Promise.all(results), [1, 2]);
    assert.deepEqual(log, ['begin', 'commit failed', 'rollback', 'begin', 'commit', 'committed 1', 'begin', 'commit', 'committed 2', 'answered 1', 'answered 2']);
  });

  it('splits a long queue into transactions of at most maxBatch writes', async () => {
    const log: string[] = [];
    const tick = manual();
    const gc = new GroupCommit<number>({ tx: recordingTx(log), isRefusal: () => false, committed: (rs) => void log.push(`committed ${rs.length}`), schedule: tick.schedule, maxBatch: 4 });
    const all = Array.from({ length: 10 }, (_, i) => gc.submit(() => i));
    tick.run();
    assert.deepEqual(await Promise.all(all), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(log.filter((l) => l.startsWith('committed')), ['committed 4', 'committed 4', 'committed 2']);
  });
});

describe('SqliteStore group commits', () => {
  it('checks preconditions against the writes before them in the same batch', async () => {
    const store = SqliteStore.open({ path: ':memory:', compactIntervalMs: 0 });
    try {
      const base = await store.create('/k/a', '{"v":0}');
      // Submitted in one turn: they share one transaction.
      const [first, second, dup, created, gone, late] = await Promise.allSettled([
        store.update('/k/a', '{"v":1}', base.modRevision),
        store.update('/k/a', '{"v":2}', base.modRevision),
        store.create('/k/a', '{}'),
        store.create('/k/b', '{"v":1}'),
        store.delete('/k/b'),
        store.update('/k/b', '{"v":2}', base.modRevision + 4),
      ]);
      assert.equal(first.status, 'fulfilled');
      assert.ok(second.status === 'rejected' && second.reason instanceof RevisionConflictError, 'the second update saw the first one');
      assert.ok(dup.status === 'rejected' && dup.reason instanceof KeyExistsError);
      assert.equal(created.status, 'fulfilled');
      assert.equal(gone.status, 'fulfilled', 'a delete sees the create before it in the batch');
      assert.ok(late.status === 'rejected' && late.reason instanceof KeyNotFoundError);
      const revisions = [first, created, gone].map((r) => (r as PromiseFulfilledResult<{ modRevision: number }>).value.modRevision);
      assert.deepEqual(revisions, [...revisions].sort((x, y) => x - y), 'revisions follow submission order');
      assert.equal(await store.currentRevision(), revisions[2]);
      assert.equal((await store.get('/k/a'))?.value, '{"v":1}');
      assert.equal(await store.get('/k/b'), undefined);
    } finally {
      await store.close();
    }
  });

  it('publishes a batch to watchers in revision order, each write once', async () => {
    const store = SqliteStore.open({ path: ':memory:', compactIntervalMs: 0 });
    try {
      const ac = new AbortController();
      const start = await store.currentRevision();
      const it = store.watch({ prefix: '/w/', afterRevision: start, signal: ac.signal })[Symbol.asyncIterator]();
      const writes = await Promise.all(Array.from({ length: 20 }, (_, i) => store.create(`/w/${i}`, '{}')));
      const seen: number[] = [];
      while (seen.length < 20) {
        const r = await it.next();
        if (r.done) break;
        if (r.value.type !== 'progress') seen.push(r.value.kv.modRevision);
      }
      assert.deepEqual(seen, writes.map((w) => w.modRevision));
      ac.abort();
    } finally {
      await store.close();
    }
  });

  it('commits writes still queued when the store closes', async () => {
    const store = SqliteStore.open({ path: ':memory:', compactIntervalMs: 0 });
    const pending = store.create('/c/a', '{}');
    await store.close();
    assert.equal((await pending).key, '/c/a');
  });
});
