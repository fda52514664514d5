// SPDX-License-Identifier: Apache-2.0
/**
 * SqliteStore: the default, embedded backend. The database is an append-only
 * revision log in one table (see sqlite-schema.ts); a key's current value is
 * its row with the largest id, found through the (key, id) index, and a
 * delete appends a tombstone. This is kine's design on a single connection:
 * better-sqlite3 is synchronous and this process is the file's only user, so
 * a write's check-then-insert can never interleave with another write and
 * "database is locked" cannot happen. Writes that arrive together are
 * committed together (group-commit.ts) and answered after that commit.
 * A full, read-only or failing file system refuses writes with the cause
 * while reads go on, and writes resume when it takes them again
 * (write-failures.ts).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { CompactedError, FutureRevisionError, KeyExistsError, KeyNotFoundError, RevisionConflictError, StoreClosedError } from '../errors.js';
import { eventFromRow, type LogRow } from '../log-row.js';
import type { KeyValue, ListOptions, ListResult, Store, StoreEvent, WatchOptions } from '../store.js';
import { WatchBroadcaster, type WatchBroadcasterOptions } from '../watch-broadcaster.js';
import { SqliteCompactor } from './sqlite-compactor.js';
import { GroupCommit } from './group-commit.js';
import { keyRange, querySql, toLogRow, type RawRow } from './sqlite-queries.js';
import { RecentValues } from './recent-values.js';
import { SqliteConnection } from './sqlite-connection.js';
import { WriteFailures } from './write-failures.js';

/** SqliteStoreOptions configures SqliteStore.open. */
export interface SqliteStoreOptions extends WatchBroadcasterOptions {
  /** Database file (its directory is created); ':memory:' for a throwaway store. */
  path: string;
  /** How often history is compacted (default 5 minutes, as the apiserver compacts etcd; 0 disables). */
  compactIntervalMs?: number;
  /** Revisions of history kept behind the current one by periodic compaction (default 1000, kine's default). */
  compactRetainRevisions?: number;
  /** log reports write failures and their recovery (default stderr). */
  log?: (msg: string) => void;
}

/** Written is one committed-to-be write: what its caller gets and the event its watchers get. */
interface Written {
  kv: KeyValue;
  event: StoreEvent;
}

/** SqliteStore implements Store on an embedded SQLite file. */
export class SqliteStore implements Store {
  /** The open database; replaced when the data dir takes writes again after failing (write-failures.ts). */
  #conn: SqliteConnection;
  readonly #path: string;
  readonly #broadcaster: WatchBroadcaster;
  readonly #compactor: SqliteCompactor;
  readonly #failures: WriteFailures;
  /** Concurrent writes share a transaction; each is answered after the commit holding it. */
  readonly #commits: GroupCommit<Written>;
  /** Current values of keys read lately, kept exact by #committed (recent-values.ts). */
  readonly #recent = new RecentValues();
  /** The revision of the latest write; cached since this connection makes every write. */
  #revision: number;
  #closed = false;

  private constructor(conn: SqliteConnection, opts: SqliteStoreOptions) {
    this.#conn = conn;
    this.#path = opts.path;
    const log = opts.log ?? ((msg: string) => console.error(msg));
    this.#failures = new WriteFailures({ path: opts.path, log, reopen: () => this.#reopen(log) });
    this.#commits = new GroupCommit<Written>({
      // Through the current connection, whichever it is at the time.
      tx: { begin: () => this.#conn.tx.begin(), commit: () => this.#conn.tx.commit(), rollback: () => this.#conn.tx.rollback() },
      isRefusal: (err) => err instanceof KeyExistsError || err instanceof KeyNotFoundError || err instanceof RevisionConflictError,
      committed: (written) => this.#committed(written),
    });
    this.#revision = conn.revision();
    this.#compactor = new SqliteCompactor(() => this.#conn.db, {
      compacted: conn.compacted(),
      intervalMs: opts.compactIntervalMs ?? 5 * 60_000,
      retain: opts.compactRetainRevisions ?? 1000,
      currentRevision: () => this.#revision,
    });
    this.#broadcaster = new WatchBroadcaster(
      {
        readEvents: (prefix, after, upTo, limit) => this.#readEvents(prefix, after, upTo, limit),
        currentRevision: () => this.#revision,
        compactedRevision: () => this.#compactor.compacted,
      },
      opts,
    );
  }

  /** open opens or creates the store at opts.path and starts periodic compaction. */
  static open(opts: SqliteStoreOptions): SqliteStore {
    return new SqliteStore(SqliteConnection.open(opts.path), opts);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const kept = this.#open().#recent.get(key);
    if (kept) return kept;
    const row = this.#current(key);
    if (!row) return undefined;
    const kv: KeyValue = Object.freeze({ key, value: row[6], createRevision: row[4], modRevision: row[0] });
    this.#recent.remember(kv);
    return kv;
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const written = await this.#write(() => {
      const last = this.#conn.latest.get(key);
      if (last && last[3] === 0) throw new KeyExistsError(key);
      return this.#append({ key, created: true, deleted: false, createRevision: 0, prevRevision: last?.[0] ?? 0, value }, undefined);
    });
    return written.kv;
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    const written = await this.#write(() => {
      const prev = this.#expect(key, expectedRevision);
      return this.#append({ key, created: false, deleted: false, createRevision: prev[4], prevRevision: prev[0], value }, prev[6]);
    });
    return written.kv;
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    const written = await this.#write(() => {
      const prev = this.#expect(key, expectedRevision);
      // The tombstone keeps the deleted value so a delete event is complete on its own.
      return this.#append({ key, created: false, deleted: true, createRevision: prev[4], prevRevision: prev[0], value: prev[6] }, undefined);
    });
    return written.kv;
  }

  async list(opts: ListOptions): Promise<ListResult> {
    const revision = this.#readRevision(opts.revision);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : undefined;
    const range = keyRange(opts.prefix, opts.startAfter);
    // One row past the limit tells whether another page exists; SQLite reads a negative LIMIT as none.
    const rows = this.#statement('list', range.sql).all(...range.params, revision, limit === undefined ? -1 : limit + 1) as [string, string, number, number][];
    const items: KeyValue[] = new Array(limit === undefined ? rows.length : Math.min(rows.length, limit));
    for (let i = 0; i < items.length; i++) {
      const r = rows[i]!;
      items[i] = { key: r[0], value: r[1], createRevision: r[2], modRevision: r[3] };
    }
    if (rows.length <= items.length) return { items, revision };
    const continueAfter = items[items.length - 1]!.key;
    const rest = keyRange(opts.prefix, continueAfter);
    const remaining = this.#statement('count', rest.sql).get(...rest.params, revision) as [number];
    return { items, revision, continueAfter, remaining: remaining[0] };
  }

  async count(prefix: string): Promise<number> {
    const range = keyRange(prefix, undefined);
    return (this.#statement('count', range.sql).get(...range.params, this.#open().#revision) as [number])[0];
  }

  watch(opts: WatchOptions): AsyncIterable<StoreEvent> {
    return this.#open().#broadcaster.watch(opts);
  }

  async currentRevision(): Promise<number> {
    return this.#open().#revision;
  }

  async compactedRevision(): Promise<number> {
    return this.#open().#compactor.compacted;
  }

  async compact(revision: number): Promise<void> {
    if (revision > this.#open().#revision) throw new FutureRevisionError(revision, this.#revision);
    await this.#compactor.compact(revision);
  }

  async checkHealth(): Promise<void> {
    this.#open();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Writes already accepted are committed (and answered) before the file closes.
    this.#commits.flush();
    this.#closed = true;
    this.#failures.stop();
    this.#broadcaster.close();
    this.#recent.clear();
    await this.#compactor.stop();
    this.#conn.db.close();
  }

  /** write submits a write to the group commit and turns a file-system failure into StoreWriteFailedError. */
  async #write(apply: () => Written): Promise<Written> {
    try {
      const written = await this.#open().#commits.submit(apply);
      this.#failures.succeeded();
      return written;
    } catch (err) {
      throw this.#failures.translate(err);
    }
  }

  /**
   * reopen replaces the connection once the data dir takes writes again.
   * Every acknowledged write must be in the file it opens; should the
   * revision go back, it is logged, since watchers and clients have seen
   * the newer ones.
   */
  #reopen(log: (msg: string) => void): void {
    if (this.#closed) return;
    this.#conn.close();
    const conn = SqliteConnection.open(this.#path);
    const revision = conn.revision();
    if (revision < this.#revision) log(`storage: ${this.#path} reopened at revision ${revision}, behind the ${this.#revision} already acknowledged: acknowledged writes were lost`);
    this.#conn = conn;
    this.#recent.clear();
    this.#revision = Math.max(revision, this.#revision);
  }

  #open(): this {
    if (this.#closed) throw new StoreClosedError();
    return this;
  }

  /** current returns the key's live row, or undefined when absent or deleted. */
  #current(key: string): RawRow | undefined {
    const row = this.#open().#conn.latest.get(key);
    return row && row[3] === 0 ? row : undefined;
  }

  #expect(key: string, expectedRevision: number | undefined): RawRow {
    const prev = this.#current(key);
    if (!prev) throw new KeyNotFoundError(key);
    if (expectedRevision !== undefined && prev[0] !== expectedRevision) throw new RevisionConflictError(key, expectedRevision, prev[0]);
    return prev;
  }

  /**
   * append writes one row inside the group commit's transaction; the row's
   * event is published by #committed once that transaction has committed.
   */
  #append(row: Omit<LogRow, 'revision'>, prevValue: string | undefined): Written {
    const info = this.#conn.insert.run(row.key, row.created ? 1 : 0, row.deleted ? 1 : 0, row.createRevision, row.prevRevision, row.value);
    const revision = Number(info.lastInsertRowid);
    const full: LogRow = { ...row, revision, createRevision: row.created ? revision : row.createRevision };
    const event = eventFromRow(full, prevValue);
    return { kv: (event as Exclude<StoreEvent, { type: 'progress' }>).kv, event };
  }

  /**
   * committed advances the revision and publishes a committed batch's
   * events, in revision order and in the same synchronous step as the
   * COMMIT, so a watcher registering at any point sees every write either
   * in the log or live, never neither nor both.
   */
  #committed(written: Written[]): void {
    for (const w of written) {
      this.#revision = w.kv.modRevision;
      this.#recent.written(w.kv.key, w.event.type === 'delete' ? undefined : w.kv);
      this.#broadcaster.publish(w.kv.key, w.event);
    }
  }

  /** readRevision resolves a read's revision (0/absent: current) and checks it is still readable. */
  #readRevision(requested: number | undefined): number {
    const current = this.#open().#revision;
    if (!requested) return current;
    if (requested > current) throw new FutureRevisionError(requested, current);
    const compacted = this.#compactor.compacted;
    if (requested < compacted) throw new CompactedError(requested, compacted);
    return requested;
  }

  #readEvents(prefix: string, after: number, upTo: number, limit: number): StoreEvent[] {
    const range = keyRange(prefix, undefined, 'l.key');
    const rows = this.#statement('events', range.sql).all(after, upTo, ...range.params, limit) as [...RawRow, string | null][];
    return rows.map((r) => eventFromRow(toLogRow(r as unknown as RawRow), r[7] ?? undefined));
  }

  /** statement returns a cached prepared statement for one query shape and key-range clause. */
  #statement(kind: 'list' | 'count' | 'events', rangeSql: string): BetterSqlite3.Statement<unknown[], unknown[]> {
    const id = `${kind}:${rangeSql}`;
    const { statements, db } = this.#conn;
    let stmt = statements.get(id);
    if (!stmt) {
      stmt = db.prepare<unknown[], unknown[]>(querySql(kind, rangeSql)).raw();
      statements.set(id, stmt);
    }
    return stmt;
  }
}
