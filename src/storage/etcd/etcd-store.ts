// SPDX-License-Identifier: Apache-2.0
/**
 * EtcdStore implements Store on etcd v3, as the apiserver's etcd3 storage
 * (k8s.io/apiserver/pkg/storage/etcd3) does: keys as given
 * (`/registry/...`), resourceVersion = etcd's revision, every write one
 * transaction guarded by a compare on the key (create: create_revision = 0;
 * update and delete: mod_revision = expected), so a write applies whole or
 * not at all, and the losing side of a race reads the key in the same
 * transaction to say why. Compaction follows upstream's compactor: the
 * compacted revision is recorded in `compact_rev_key` with a
 * compare-on-version so that several API servers compact once, then etcd's
 * Compact runs.
 *
 * Failures are translated here, once, into the storage errors: etcd's
 * "required revision has been compacted" / "is a future revision" become
 * CompactedError / FutureRevisionError; an unreachable or quorum-less
 * cluster becomes StoreUnavailableError after the request deadline.
 */
import { CompactedError, FutureRevisionError, KeyExistsError, KeyNotFoundError, RevisionConflictError, StorageError, StoreClosedError } from '../errors.js';
import type { KeyValue, ListOptions, ListResult, Store, StoreEvent, WatchOptions } from '../store.js';
import { EtcdClient, type EtcdClientOptions } from './etcd-client.js';
import { EtcdWatcher, toKeyValue, watchRange } from './etcd-watch.js';
import type { Compare, RangeResponse, TxnResponse, WireKeyValue } from './etcd-wire.js';

/** COMPACT_REV_KEY holds the last compacted revision, as upstream's compactor keeps it (outside /registry). */
export const COMPACT_REV_KEY = 'compact_rev_key';

export interface EtcdStoreOptions extends EtcdClientOptions {
  /** How often history is compacted (default 5 minutes, the apiserver's --etcd-compaction-interval; 0 disables). */
  compactIntervalMs?: number;
  /** Revisions of history kept behind the current one by periodic compaction (default 1000, as the sqlite backend). */
  compactRetainRevisions?: number;
  /** Deadline of the readiness check's read (default 2 s, the apiserver's --etcd-healthcheck-timeout). */
  healthTimeoutMs?: number;
  log?: (msg: string) => void;
}

const key = (k: string) => Buffer.from(k);
const rangeOf = (k: string) => ({ request_range: { key: key(k) } });

export class EtcdStore implements Store {
  readonly #client: EtcdClient;
  readonly #closing = new AbortController();
  readonly #healthTimeoutMs: number;
  readonly #log?: (msg: string) => void;
  #compactTimer?: NodeJS.Timeout;

  private constructor(opts: EtcdStoreOptions) {
    this.#client = new EtcdClient(opts);
    this.#healthTimeoutMs = opts.healthTimeoutMs ?? 2_000;
    this.#log = opts.log;
    const interval = opts.compactIntervalMs ?? 5 * 60_000;
    const retain = opts.compactRetainRevisions ?? 1000;
    if (interval > 0) {
      this.#compactTimer = setInterval(() => void this.#compactHistory(retain), interval);
      this.#compactTimer.unref();
    }
  }

  /** open connects lazily: no call is made until the first request, which then waits at most the request deadline. */
  static open(opts: EtcdStoreOptions): EtcdStore {
    return new EtcdStore(opts);
  }

  get endpoints(): string[] {
    return this.#client.endpoints;
  }

  async get(k: string): Promise<KeyValue | undefined> {
    const r = await this.#range({ key: key(k) });
    return r.kvs[0] && toKeyValue(r.kvs[0]);
  }

  async list(opts: ListOptions): Promise<ListResult> {
    const range = watchRange(opts.prefix);
    if (opts.startAfter !== undefined && opts.startAfter >= opts.prefix) range.key = Buffer.from(opts.startAfter + '\0');
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    let r: RangeResponse;
    try {
      r = await this.#range({ ...range, limit, revision: opts.revision || 0 });
    } catch (err) {
      throw await this.#revisionError(err, opts.revision ?? 0);
    }
    const items = r.kvs.map(toKeyValue);
    const revision = opts.revision || Number(r.header.revision);
    if (!r.more) return { items, revision };
    return { items, revision, continueAfter: items[items.length - 1]!.key, remaining: Number(r.count) - items.length };
  }

  async count(prefix: string): Promise<number> {
    return Number((await this.#range({ ...watchRange(prefix), count_only: true })).count);
  }

  async create(k: string, value: string): Promise<KeyValue> {
    const r = await this.#txn([{ result: 'EQUAL', target: 'CREATE', key: key(k), create_revision: 0 }], { request_put: { key: key(k), value: Buffer.from(value) } });
    if (!r.succeeded) throw new KeyExistsError(k);
    const revision = Number(r.header.revision);
    return { key: k, value, createRevision: revision, modRevision: revision };
  }

  async update(k: string, value: string, expectedRevision: number): Promise<KeyValue> {
    const r = await this.#txn(this.#guard(k, expectedRevision), { request_put: { key: key(k), value: Buffer.from(value), prev_kv: true } }, rangeOf(k));
    if (!r.succeeded) throw this.#whyNot(k, expectedRevision, r);
    const prev = r.responses[0]!.response_put!.prev_kv!;
    return { key: k, value, createRevision: Number(prev.create_revision), modRevision: Number(r.header.revision) };
  }

  async delete(k: string, expectedRevision?: number): Promise<KeyValue> {
    const r = await this.#txn(this.#guard(k, expectedRevision), { request_delete_range: { key: key(k), prev_kv: true } }, rangeOf(k));
    if (!r.succeeded) throw this.#whyNot(k, expectedRevision, r);
    const prev: WireKeyValue = r.responses[0]!.response_delete_range!.prev_kvs[0]!;
    return { ...toKeyValue(prev), modRevision: Number(r.header.revision) };
  }

  watch(opts: WatchOptions): AsyncIterable<StoreEvent> {
    this.#open();
    const ctx = { client: this.#client, compactedRevision: () => this.compactedRevision(), closed: this.#closing.signal, log: this.#log };
    return { [Symbol.asyncIterator]: () => new EtcdWatcher(ctx, opts) };
  }

  async currentRevision(): Promise<number> {
    return Number((await this.#range({ key: key(COMPACT_REV_KEY), count_only: true })).header.revision);
  }

  async compactedRevision(): Promise<number> {
    const kv = (await this.#range({ key: key(COMPACT_REV_KEY) })).kvs[0];
    return kv ? Number(kv.value.toString()) : 0;
  }

  /**
   * compact records the revision in compact_rev_key, guarded by the key's
   * version so that of several servers compacting at once one wins (the
   * others see a newer version and stop), then asks etcd to compact.
   */
  async compact(revision: number): Promise<void> {
    const current = await this.currentRevision();
    if (revision > current) throw new FutureRevisionError(revision, current);
    const r = await this.#range({ key: key(COMPACT_REV_KEY) });
    const kv = r.kvs[0];
    if (kv && Number(kv.value.toString()) >= revision) return;
    const claimed = await this.#txn(
      [{ result: 'EQUAL', target: 'VERSION', key: key(COMPACT_REV_KEY), version: kv ? Number(kv.version) : 0 }],
      { request_put: { key: key(COMPACT_REV_KEY), value: Buffer.from(String(revision)) } },
    );
    if (!claimed.succeeded) return;
    try {
      await this.#client.compact(revision);
    } catch (err) {
      // Already compacted further (by etcd's own auto-compaction, say): nothing left to do.
      if (!isCompactedError(err)) throw this.#translate(err);
    }
  }

  /** checkHealth is the readiness probe: a quorum read of one key, as upstream's etcd health check does. */
  async checkHealth(): Promise<void> {
    await this.#range({ key: key('health'), count_only: true }, this.#healthTimeoutMs);
  }

  async close(): Promise<void> {
    if (this.#client.closed) return;
    clearInterval(this.#compactTimer);
    this.#closing.abort();
    this.#client.close();
  }

  #open(): void {
    if (this.#client.closed) throw new StoreClosedError();
  }

  async #compactHistory(retain: number): Promise<void> {
    try {
      const target = (await this.currentRevision()) - retain;
      if (target > (await this.compactedRevision())) await this.compact(target);
    } catch (err) {
      this.#log?.(`etcd compaction: ${(err as Error).message}`);
    }
  }

  /** guard is the compare list of an update or delete: the key is live, at the expected revision when one is given. */
  #guard(k: string, expectedRevision: number | undefined): Compare[] {
    const live: Compare = { result: 'GREATER', target: 'VERSION', key: key(k), version: 0 };
    return expectedRevision === undefined ? [live] : [live, { result: 'EQUAL', target: 'MOD', key: key(k), mod_revision: expectedRevision }];
  }

  /** whyNot explains a failed update/delete from the key as the same transaction read it. */
  #whyNot(k: string, expected: number | undefined, r: TxnResponse): StorageError {
    const kv = r.responses[0]?.response_range?.kvs[0];
    if (!kv) return new KeyNotFoundError(k);
    return new RevisionConflictError(k, expected ?? 0, Number(kv.mod_revision));
  }

  async #range(req: Parameters<EtcdClient['range']>[0], timeoutMs?: number): Promise<RangeResponse> {
    this.#open();
    try {
      return await this.#client.range(req, timeoutMs);
    } catch (err) {
      throw this.#translate(err);
    }
  }

  async #txn(compare: Compare[], success: Parameters<EtcdClient['txn']>[0]['success'][number], failure?: Parameters<EtcdClient['txn']>[0]['failure'][number]): Promise<TxnResponse> {
    this.#open();
    try {
      return await this.#client.txn({ compare, success: [success], failure: failure ? [failure] : [] });
    } catch (err) {
      throw this.#translate(err);
    }
  }

  /** revisionError turns etcd's refusal of a read revision into CompactedError / FutureRevisionError with the numbers. */
  async #revisionError(err: unknown, requested: number): Promise<unknown> {
    if (!(err instanceof StorageError) || err.code !== 'ERR_STORAGE_ETCD') return err;
    if (/required revision has been compacted/.test(err.message)) return new CompactedError(requested, await this.compactedRevision());
    if (/required revision is a future revision/.test(err.message)) return new FutureRevisionError(requested, await this.currentRevision());
    return err;
  }

  #translate(err: unknown): unknown {
    if (err instanceof StorageError) return err;
    const details = (err as { details?: string }).details ?? (err as Error).message;
    return new StorageError('ERR_STORAGE_ETCD', `etcd: ${details}`, { cause: err });
  }
}

function isCompactedError(err: unknown): boolean {
  return /required revision has been compacted/.test((err as { details?: string }).details ?? '');
}
