// SPDX-License-Identifier: Apache-2.0
/**
 * The in-process watch fan-out shared by the backends that own their log.
 * A backend calls `publish` in the same synchronous step as each commit; each watcher
 * first replays the log from its start revision (in pages, read lazily as
 * the consumer pulls) and then delivers the live events queued for it.
 * Like the apiserver's cacher (k8s.io/apiserver/pkg/storage/cacher), a
 * watcher that does not keep up is terminated rather than skipped, so its
 * client re-lists instead of missing an event.
 */
import { CompactedError } from './errors.js';
import type { StoreEvent, WatchOptions } from './store.js';
import { Watcher, type WatchLog } from './watcher.js';

export type { WatchLog } from './watcher.js';

/** WatchBroadcasterOptions tunes the fan-out; defaults suit the apiserver. */
export interface WatchBroadcasterOptions {
  /** Live events a watcher may have queued before it is ended as too slow (default 10,000). */
  maxQueuedEvents?: number;
  /** A caught-up watcher idle this long gets a progress event (default 5,000 ms; 0 disables). */
  progressIntervalMs?: number;
  /** Log rows read per catch-up page (default 1,000). */
  catchUpPageSize?: number;
}

const defaultMaxQueuedEvents = 10_000;
const defaultProgressIntervalMs = 5_000;
const defaultCatchUpPageSize = 1_000;

/** WatchBroadcaster fans each published event out to the watchers whose prefix matches. */
export class WatchBroadcaster {
  readonly #log: WatchLog;
  readonly #maxQueued: number;
  readonly #progressMs: number;
  readonly #pageSize: number;
  /** Watchers grouped by prefix: a write tests each distinct prefix once. */
  readonly #byPrefix = new Map<string, Set<Watcher>>();
  #watcherCount = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(log: WatchLog, opts: WatchBroadcasterOptions = {}) {
    this.#log = log;
    this.#maxQueued = opts.maxQueuedEvents ?? defaultMaxQueuedEvents;
    this.#progressMs = opts.progressIntervalMs ?? defaultProgressIntervalMs;
    this.#pageSize = opts.catchUpPageSize ?? defaultCatchUpPageSize;
  }

  /** publish hands one write's event (built once, shared by all watchers) to every matching watcher. */
  publish(key: string, event: StoreEvent): void {
    for (const [prefix, watchers] of this.#byPrefix) {
      if (!key.startsWith(prefix)) continue;
      for (const w of watchers) w.push(event);
    }
  }

  /**
   * watch returns an iterable whose iterator registers when iteration starts.
   * Registration and the revision the catch-up reads up to are taken in the
   * same synchronous step; the backends commit and publish in one synchronous step on this thread,
   * so every later write is published to the registered watcher and every
   * earlier one is in the log: no gap and no duplicate.
   */
  watch(opts: WatchOptions): AsyncIterable<StoreEvent> {
    return { [Symbol.asyncIterator]: () => this.#start(opts) };
  }

  /** close ends every watcher (their iterators finish) and stops the progress timer. */
  close(): void {
    this.#closed = true;
    for (const watchers of [...this.#byPrefix.values()]) {
      for (const w of [...watchers]) w.end();
    }
    this.#stopTimer();
  }

  #start(opts: WatchOptions): Watcher {
    const w = new Watcher(opts.prefix, opts.afterRevision, this.#log.currentRevision(), {
      log: this.#log,
      pageSize: this.#pageSize,
      maxQueued: this.#maxQueued,
      unregister: (x) => this.#unregister(x),
    });
    if (this.#closed || opts.signal.aborted) {
      w.end();
      return w;
    }
    const compacted = this.#log.compactedRevision();
    if (opts.afterRevision < compacted) {
      w.fail(new CompactedError(opts.afterRevision, compacted));
      return w;
    }
    this.#register(w);
    w.bindSignal(opts.signal);
    return w;
  }

  #register(w: Watcher): void {
    let set = this.#byPrefix.get(w.prefix);
    if (!set) this.#byPrefix.set(w.prefix, (set = new Set()));
    set.add(w);
    this.#watcherCount++;
    if (this.#timer === undefined && this.#progressMs > 0) {
      this.#timer = setInterval(() => this.#sendProgress(), this.#progressMs);
      this.#timer.unref(); // a watch must not keep the process alive on its own
    }
  }

  #unregister(w: Watcher): void {
    const set = this.#byPrefix.get(w.prefix);
    if (!set?.delete(w)) return;
    if (set.size === 0) this.#byPrefix.delete(w.prefix);
    if (--this.#watcherCount === 0) this.#stopTimer();
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * sendProgress gives idle, caught-up watchers the current revision. It is
   * truthful because publishing is synchronous: a watcher with nothing
   * queued has been handed every event up to the current revision.
   */
  #sendProgress(): void {
    const now = Date.now();
    let event: StoreEvent | undefined;
    for (const watchers of this.#byPrefix.values()) {
      for (const w of watchers) {
        if (!w.idleSince(now - this.#progressMs)) continue;
        event ??= Object.freeze({ type: 'progress', revision: this.#log.currentRevision() });
        w.push(event);
      }
    }
  }
}
