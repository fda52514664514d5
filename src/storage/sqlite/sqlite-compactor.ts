// SPDX-License-Identifier: Apache-2.0
/**
 * SqliteCompactor drops history from the revision log, on a timer and on
 * request, and keeps the file and its WAL bounded under sustained writes.
 * Compacting at revision R keeps, for every key, its latest row at R (unless
 * that row is a tombstone) and every row after R, so any read at a revision
 * >= R and any watch from R on sees exactly what it saw before. This is
 * etcd's compaction contract, which the apiserver relies on for 410 Gone.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type BetterSqlite3 from 'better-sqlite3';
import { compactedRevisionMeta, type SqliteDatabase } from './sqlite-schema.js';

/** SqliteCompactorOptions configures a SqliteCompactor. */
export interface SqliteCompactorOptions {
  /** The compacted revision persisted by an earlier run. */
  compacted: number;
  /** Timer period; 0 disables periodic compaction. */
  intervalMs: number;
  /** Periodic compaction targets current - retain. */
  retain: number;
  currentRevision(): number;
}

/** Rows examined per transaction, so a large compaction does not stall the event loop. */
const batchRevisions = 5_000;

/** SqliteCompactor owns the compacted revision of one database. */
export class SqliteCompactor {
  /** db is the store's current connection (it is replaced when the data dir recovers from a failure). */
  readonly #db: () => SqliteDatabase;
  readonly #opts: SqliteCompactorOptions;
  #compacted: number;
  #running: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(db: () => SqliteDatabase, opts: SqliteCompactorOptions) {
    this.#db = db;
    this.#opts = opts;
    this.#compacted = opts.compacted;
    if (opts.intervalMs > 0) {
      this.#timer = setInterval(() => this.#compactPeriodically(), opts.intervalMs);
      this.#timer.unref(); // compaction alone must not keep the process alive
    }
  }

  /** compacted is the oldest revision still readable. */
  get compacted(): number {
    return this.#compacted;
  }

  /** compact drops history before revision; concurrent calls run one after another. */
  compact(revision: number): Promise<void> {
    const run = this.#running.then(() => this.#run(revision));
    this.#running = run.catch(() => undefined);
    return run;
  }

  /** stop ends the timer and waits for a running compaction to reach a stopping point. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#running;
  }

  #compactPeriodically(): void {
    const target = this.#opts.currentRevision() - this.#opts.retain;
    if (target <= this.#compacted) return;
    // Nobody awaits the timer; a failure (such as a full disk) is reported
    // and the next tick tries again.
    this.compact(target).catch((err: unknown) => process.emitWarning(`sqlite compaction failed: ${String(err)}`, 'SkiffStorageWarning'));
  }

  async #run(revision: number): Promise<void> {
    if (this.#stopped || revision <= this.#compacted) return;
    // Publish the new floor before deleting anything, so no reader starts
    // below it while rows are going; a crash part-way leaves rows that a
    // later compaction removes.
    const s = statements(this.#db());
    s.saveCompacted.run(compactedRevisionMeta, revision);
    this.#compacted = revision;
    const first = s.firstId.get() ?? revision;
    for (let lo = first - 1; lo < revision; lo += batchRevisions) {
      if (this.#stopped) return;
      // The connection may have been replaced while this yielded; a closed one fails the run, and the next tick starts over.
      statements(this.#db()).deleteBatch.run(lo, Math.min(lo + batchRevisions, revision), revision);
      await yieldToEventLoop();
    }
    if (this.#stopped) return;
    // Give freed pages back to the file system, then fold the WAL into the
    // database and truncate it to zero bytes.
    this.#db().pragma('incremental_vacuum');
    this.#db().pragma('wal_checkpoint(TRUNCATE)');
  }
}

interface CompactionStatements {
  deleteBatch: BetterSqlite3.Statement<[number, number, number]>;
  saveCompacted: BetterSqlite3.Statement<[string, number]>;
  firstId: BetterSqlite3.Statement<[], number | null>;
}

/** prepared keeps each connection's compaction statements, prepared on its first compaction. */
const prepared = new WeakMap<SqliteDatabase, CompactionStatements>();

function statements(db: SqliteDatabase): CompactionStatements {
  let s = prepared.get(db);
  if (!s) {
    s = {
      // A row goes when a later row of its key at or before the target exists,
      // or when it is a tombstone at or before the target (its key's older rows
      // go by the first rule).
      deleteBatch: db.prepare(`DELETE FROM log WHERE id > ? AND id <= ? AND (deleted = 1
        OR id < (SELECT MAX(n.id) FROM log AS n WHERE n.key = log.key AND n.id <= ?))`),
      saveCompacted: db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
      firstId: db.prepare<[], number | null>('SELECT MIN(id) FROM log').pluck(),
    };
    prepared.set(db, s);
  }
  return s;
}
