// SPDX-License-Identifier: Apache-2.0
/**
 * EtcdWatcher turns one etcd Watch stream into the Store's event iterator.
 * It watches the prefix from `afterRevision + 1` with prev_kv (the
 * apiserver's etcd3 watcher asks for the same, so a delete carries the
 * deleted object) and progress_notify (etcd then reports an idle watcher's
 * revision every --experimental-watch-progress-notify-interval, which become
 * bookmarks). When the stream breaks (a member died, the network went away)
 * it starts again on another member from the last revision it delivered, as
 * clientv3's watcher does, so events are never lost or repeated; when that
 * revision has been compacted meanwhile it ends with CompactedError and the
 * client re-lists.
 *
 * A consumer that does not keep up is not ended: the stream is paused, gRPC
 * flow control stops etcd from sending, and etcd serves the watcher from its
 * history when it resumes (etcd's "unsynced" watchers).
 */
import type * as grpc from '@grpc/grpc-js';
import { CompactedError, StorageError } from '../errors.js';
import { prefixEnd } from '../key-range.js';
import type { KeyValue, StoreEvent, WatchOptions } from '../store.js';
import type { EtcdClient, WatchStream } from './etcd-client.js';
import type { WatchResponse, WireEvent, WireKeyValue } from './etcd-wire.js';

/** Queued events past which the stream is paused, and below which it resumes. */
const PAUSE_AT = 1_000;
const RESUME_AT = 100;
const MAX_RECONNECT_DELAY_MS = 2_000;

export interface EtcdWatchContext {
  client: EtcdClient;
  compactedRevision(): Promise<number>;
  /** Aborts when the store closes. */
  closed: AbortSignal;
  log?: (msg: string) => void;
}

/** toKeyValue converts etcd's KeyValue (bytes, string revisions) to the Store's. */
export function toKeyValue(kv: WireKeyValue): KeyValue {
  return { key: kv.key.toString('utf8'), value: kv.value.toString('utf8'), createRevision: Number(kv.create_revision), modRevision: Number(kv.mod_revision) };
}

/** toStoreEvent converts one etcd event: a delete is reported with the deleted value, as the sqlite log keeps it. */
function toStoreEvent(e: WireEvent): StoreEvent {
  const prev = e.prev_kv ? Object.freeze(toKeyValue(e.prev_kv)) : undefined;
  if (e.type === 'PUT') return Object.freeze({ type: 'put', kv: Object.freeze(toKeyValue(e.kv)), prev });
  const deletedAt = Number(e.kv.mod_revision);
  const last = prev ?? { key: e.kv.key.toString('utf8'), value: '', createRevision: 0, modRevision: deletedAt };
  return Object.freeze({ type: 'delete', kv: Object.freeze({ ...last, modRevision: deletedAt }), prev: last });
}

/** watchRange is the etcd key range of a prefix ('' and the end of the key space become etcd's "\0" forms). */
export function watchRange(prefix: string): { key: Buffer; range_end: Buffer } {
  const end = prefixEnd(prefix);
  return { key: Buffer.from(prefix === '' ? '\0' : prefix), range_end: Buffer.from(end ?? '\0') };
}

export class EtcdWatcher implements AsyncIterator<StoreEvent> {
  readonly #ctx: EtcdWatchContext;
  readonly #prefix: string;
  readonly #queue: StoreEvent[] = [];
  #waiting?: { resolve: (r: IteratorResult<StoreEvent>) => void; reject: (err: unknown) => void };
  #failure?: unknown;
  #done = false;
  #started = false;
  /** The revision of the last event queued: a restarted stream begins after it. */
  #last: number;
  #stream?: WatchStream;
  #paused = false;
  #reconnectDelay = 100;
  #reconnectTimer?: NodeJS.Timeout;
  readonly #onAbort = () => this.#end();

  constructor(ctx: EtcdWatchContext, opts: WatchOptions) {
    this.#ctx = ctx;
    this.#prefix = opts.prefix;
    this.#last = opts.afterRevision;
    if (opts.signal.aborted || ctx.closed.aborted) {
      this.#done = true;
      return;
    }
    opts.signal.addEventListener('abort', this.#onAbort, { once: true });
    ctx.closed.addEventListener('abort', this.#onAbort, { once: true });
    this.#unlisten = () => {
      opts.signal.removeEventListener('abort', this.#onAbort);
      ctx.closed.removeEventListener('abort', this.#onAbort);
    };
  }

  #unlisten: () => void = () => {};

  next(): Promise<IteratorResult<StoreEvent>> {
    if (!this.#started && !this.#done) {
      this.#started = true;
      void this.#begin();
    }
    const event = this.#queue.shift();
    if (event) {
      if (this.#paused && this.#queue.length < RESUME_AT) {
        this.#paused = false;
        this.#stream?.call.resume();
      }
      return Promise.resolve({ value: event, done: false });
    }
    if (this.#failure !== undefined) {
      const err = this.#failure;
      this.#failure = undefined;
      return Promise.reject(err);
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.#waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<StoreEvent>> {
    this.#end();
    return Promise.resolve({ value: undefined, done: true });
  }

  /**
   * begin refuses a compacted start (etcd would start at its compacted
   * revision instead) and opens the stream. The first start reports an
   * unreachable etcd to the caller; a restart keeps trying until etcd is back.
   */
  async #begin(restart = false): Promise<void> {
    try {
      const compacted = await this.#ctx.compactedRevision();
      if (this.#last < compacted) return this.#fail(new CompactedError(this.#last, compacted));
    } catch (err) {
      if (!restart) return this.#fail(err);
      return this.#retryLater();
    }
    this.#connect();
  }

  #connect(): void {
    if (this.#done) return;
    let stream: WatchStream;
    try {
      stream = this.#ctx.client.openWatch();
    } catch (err) {
      return this.#fail(err);
    }
    this.#stream = stream;
    stream.call.on('data', (r: WatchResponse) => this.#onResponse(r));
    stream.call.on('error', (err: grpc.ServiceError) => this.#onBroken(stream, err));
    stream.call.on('end', () => this.#onBroken(stream, undefined));
    stream.call.write({
      create_request: { ...watchRange(this.#prefix), start_revision: this.#last + 1, prev_kv: true, progress_notify: true },
    });
    if (this.#paused) stream.call.pause();
  }

  #onResponse(r: WatchResponse): void {
    if (this.#done) return;
    if (r.canceled) {
      const compacted = Number(r.compact_revision);
      if (compacted > 0) return this.#fail(new CompactedError(this.#last, compacted));
      return this.#fail(new StorageError('ERR_STORAGE_WATCH_CANCELED', `etcd canceled the watch on ${this.#prefix}: ${r.cancel_reason || 'no reason given'}`));
    }
    this.#reconnectDelay = 100;
    if (r.created) return;
    if (r.events.length === 0) {
      // A progress notification: every later event is newer than header.revision.
      const revision = Number(r.header.revision);
      if (revision > this.#last) {
        this.#last = revision;
        this.#push({ type: 'progress', revision });
      }
      return;
    }
    for (const e of r.events) {
      const event = toStoreEvent(e);
      this.#last = (event as Exclude<StoreEvent, { type: 'progress' }>).kv.modRevision;
      this.#push(event);
    }
  }

  #push(event: StoreEvent): void {
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = undefined;
      w.resolve({ value: event, done: false });
      return;
    }
    this.#queue.push(event);
    if (!this.#paused && this.#queue.length >= PAUSE_AT) {
      this.#paused = true;
      this.#stream?.call.pause();
    }
  }

  /** onBroken restarts a stream that failed, on the next member, after a growing pause. */
  #onBroken(stream: WatchStream, err: grpc.ServiceError | undefined): void {
    if (this.#done || this.#stream !== stream) return;
    this.#stream = undefined;
    this.#ctx.client.failed(stream.endpoint);
    this.#ctx.log?.(`etcd watch on ${this.#prefix} from ${stream.endpoint} broke (${err?.details ?? 'stream ended'}); resuming after revision ${this.#last}`);
    this.#retryLater();
  }

  #retryLater(): void {
    if (this.#done) return;
    const delay = this.#reconnectDelay;
    this.#reconnectDelay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
    this.#reconnectTimer = setTimeout(() => void this.#begin(true), delay);
  }

  #fail(err: unknown): void {
    if (this.#done) return;
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = undefined;
      w.reject(err);
    } else {
      this.#failure = err;
    }
    this.#end();
  }

  #end(): void {
    if (this.#done) return;
    this.#done = true;
    this.#unlisten();
    clearTimeout(this.#reconnectTimer);
    const stream = this.#stream;
    this.#stream = undefined;
    stream?.call.cancel();
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = undefined;
      w.resolve({ value: undefined, done: true });
    }
  }
}
