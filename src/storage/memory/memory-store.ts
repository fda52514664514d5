// SPDX-License-Identifier: Apache-2.0
/**
 * MemoryStore: the Store semantics kept in plain arrays and maps, for unit
 * tests of the components above storage. It keeps the same revision log as
 * the sqlite backend (one row per write, tombstones for deletes), so list at
 * an older revision, watch catch-up and compaction behave identically; it
 * favours obviousness over speed.
 */
import { CompactedError, FutureRevisionError, KeyExistsError, KeyNotFoundError, RevisionConflictError, StoreClosedError } from '../errors.js';
import { eventFromRow, kvFromRow, type LogRow } from '../log-row.js';
import type { KeyValue, ListOptions, ListResult, Store, StoreEvent, WatchOptions } from '../store.js';
import { WatchBroadcaster, type WatchBroadcasterOptions } from '../watch-broadcaster.js';

/** MemoryStoreOptions tunes the watch fan-out of a MemoryStore. */
export type MemoryStoreOptions = WatchBroadcasterOptions;

/** MemoryStore implements Store in memory; nothing survives the process. */
export class MemoryStore implements Store {
  /** Every row still kept, in revision order. */
  #log: LogRow[] = [];
  /** Each key's newest row (a tombstone when deleted). */
  readonly #latest = new Map<string, LogRow>();
  /** Starts at 1 like etcd (and the sqlite backend), so no write is revision 0. */
  #revision = 1;
  #compacted = 0;
  #closed = false;
  readonly #broadcaster: WatchBroadcaster;

  constructor(opts: MemoryStoreOptions = {}) {
    this.#broadcaster = new WatchBroadcaster(
      {
        readEvents: (prefix, after, upTo, limit) => this.#readEvents(prefix, after, upTo, limit),
        currentRevision: () => this.#revision,
        compactedRevision: () => this.#compacted,
      },
      opts,
    );
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const row = this.#live(key);
    return row && kvFromRow(row);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const last = this.#open().#latest.get(key);
    if (last && !last.deleted) throw new KeyExistsError(key);
    const revision = this.#revision + 1;
    return this.#append({ revision, key, created: true, deleted: false, createRevision: revision, prevRevision: last?.revision ?? 0, value }, undefined);
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    const prev = this.#expect(key, expectedRevision);
    const row = { revision: this.#revision + 1, key, created: false, deleted: false, createRevision: prev.createRevision, prevRevision: prev.revision, value };
    return this.#append(row, prev.value);
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    const prev = this.#expect(key, expectedRevision);
    const row = { revision: this.#revision + 1, key, created: false, deleted: true, createRevision: prev.createRevision, prevRevision: prev.revision, value: prev.value };
    return this.#append(row, undefined);
  }

  async list(opts: ListOptions): Promise<ListResult> {
    const revision = this.#readRevision(opts.revision);
    const rows = [...this.#rowsAt(revision).values()]
      .filter((r) => !r.deleted && r.key.startsWith(opts.prefix) && (opts.startAfter === undefined || r.key > opts.startAfter))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const limit = opts.limit && opts.limit > 0 ? opts.limit : rows.length;
    const items = rows.slice(0, limit).map(kvFromRow);
    if (rows.length <= limit) return { items, revision };
    return { items, revision, continueAfter: items[items.length - 1]!.key, remaining: rows.length - limit };
  }

  async count(prefix: string): Promise<number> {
    let n = 0;
    for (const row of this.#open().#latest.values()) if (!row.deleted && row.key.startsWith(prefix)) n++;
    return n;
  }

  watch(opts: WatchOptions): AsyncIterable<StoreEvent> {
    return this.#open().#broadcaster.watch(opts);
  }

  async currentRevision(): Promise<number> {
    return this.#open().#revision;
  }

  async compactedRevision(): Promise<number> {
    return this.#open().#compacted;
  }

  /** compact keeps each key's newest row at revision (unless a tombstone) and everything after it. */
  async compact(revision: number): Promise<void> {
    if (revision > this.#open().#revision) throw new FutureRevisionError(revision, this.#revision);
    if (revision <= this.#compacted) return;
    const keep = new Set<LogRow>();
    for (const row of this.#rowsAt(revision).values()) if (!row.deleted) keep.add(row);
    this.#log = this.#log.filter((r) => r.revision > revision || keep.has(r));
    this.#compacted = revision;
  }

  async checkHealth(): Promise<void> {
    this.#open();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#broadcaster.close();
  }

  #open(): this {
    if (this.#closed) throw new StoreClosedError();
    return this;
  }

  #live(key: string): LogRow | undefined {
    const row = this.#open().#latest.get(key);
    return row && !row.deleted ? row : undefined;
  }

  #expect(key: string, expectedRevision: number | undefined): LogRow {
    const prev = this.#live(key);
    if (!prev) throw new KeyNotFoundError(key);
    if (expectedRevision !== undefined && prev.revision !== expectedRevision) throw new RevisionConflictError(key, expectedRevision, prev.revision);
    return prev;
  }

  #append(row: LogRow, prevValue: string | undefined): KeyValue {
    this.#log.push(row);
    this.#latest.set(row.key, row);
    this.#revision = row.revision;
    const event = eventFromRow(row, prevValue);
    this.#broadcaster.publish(row.key, event);
    return kvFromRow(row);
  }

  #readRevision(requested: number | undefined): number {
    const current = this.#open().#revision;
    if (!requested) return current;
    if (requested > current) throw new FutureRevisionError(requested, current);
    if (requested < this.#compacted) throw new CompactedError(requested, this.#compacted);
    return requested;
  }

  /** rowsAt maps each key to its newest row at or before revision. */
  #rowsAt(revision: number): Map<string, LogRow> {
    if (revision === this.#revision) return this.#latest;
    const rows = new Map<string, LogRow>();
    for (const row of this.#log) {
      if (row.revision > revision) break;
      rows.set(row.key, row);
    }
    return rows;
  }

  #readEvents(prefix: string, after: number, upTo: number, limit: number): StoreEvent[] {
    const events: StoreEvent[] = [];
    for (let i = this.#indexAfter(after); i < this.#log.length && events.length < limit; i++) {
      const row = this.#log[i]!;
      if (row.revision > upTo) break;
      if (!row.key.startsWith(prefix)) continue;
      const prev = row.created || row.deleted ? undefined : this.#log[this.#indexAfter(row.prevRevision - 1)];
      events.push(eventFromRow(row, prev?.revision === row.prevRevision ? prev.value : undefined));
    }
    return events;
  }

  /** indexAfter is the index of the first log row newer than revision (binary search; the log is in revision order). */
  #indexAfter(revision: number): number {
    let lo = 0;
    let hi = this.#log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#log[mid]!.revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
