// SPDX-License-Identifier: Apache-2.0
/**
 * The in-process watch fan-out shared by the backends that own their log.
 * A backend calls `publish` synchronously after each write; each watcher
 * first replays the log from its start revision (in pages, read lazily as
 * the consumer pulls) and then delivers the live events queued for it.
 * Like the apiserver's cacher (k8s.io/apiserver/pkg/storage/cacher), a
 * watcher that does not keep up is terminated rather than skipped, so its
 * client re-lists instead of missing an event.
 */
import { CompactedError, WatcherTooSlowError } from './errors.js';
import type { StoreEvent, WatchOptions } from './store.js';

/** WatchLog is what the broadcaster needs to read from a backend's revision log. */
export interface WatchLog {
  /** readEvents returns up to `limit` events under prefix with after < revision <= upTo, oldest first. */
  readEvents(prefix: string, after: number, upTo: number, limit: number): StoreEvent[];
  currentRevision(): number;
  compactedRevision(): number;
}

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

/** eventRevision is the revision an event stands for. */
function eventRevision(event: StoreEvent): number {
  return event.type === 'progress' ? event.revision : event.kv.modRevision;
}

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
   * same synchronous step; the backends write synchronously on this thread,
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

interface WatcherDeps {
  log: WatchLog;
  pageSize: number;
  maxQueued: number;
  unregister(w: Watcher): void;
}

/** Watcher is one watch stream: catch-up pages from the log, then its live queue. */
class Watcher implements AsyncIterableIterator<StoreEvent> {
  readonly prefix: string;
  readonly #deps: WatcherDeps;
  /** The watch's start: only events newer than this are delivered. */
  readonly #after: number;
  /** Catch-up covers (catchUpAfter, catchUpEnd]; live events are all newer than catchUpEnd. */
  #catchUpAfter: number;
  readonly #catchUpEnd: number;
  #page: StoreEvent[] = [];
  #pageHead = 0;
  #live: StoreEvent[] = [];
  #liveHead = 0;
  #failure: Error | undefined;
  #finished = false;
  #wake: (() => void) | undefined;
  #lastActivity = Date.now();
  #detachSignal: (() => void) | undefined;

  constructor(prefix: string, after: number, end: number, deps: WatcherDeps) {
    this.prefix = prefix;
    this.#after = after;
    this.#catchUpAfter = after;
    this.#catchUpEnd = end;
    this.#deps = deps;
  }

  bindSignal(signal: AbortSignal): void {
    const onAbort = () => this.end();
    signal.addEventListener('abort', onAbort, { once: true });
    this.#detachSignal = () => signal.removeEventListener('abort', onAbort);
  }

  /** push queues a live event; past the bound the watcher is ended with WatcherTooSlowError. */
  push(event: StoreEvent): void {
    // A watch may start at a future revision; writes up to it are not its business.
    if (this.#finished || eventRevision(event) <= this.#after) return;
    if (this.#live.length - this.#liveHead >= this.#deps.maxQueued) {
      this.fail(new WatcherTooSlowError());
      return;
    }
    this.#live.push(event);
    this.#lastActivity = Date.now();
    this.#notify();
  }

  /** idleSince reports whether the watcher is caught up, has nothing queued and had no activity since `t`. */
  idleSince(t: number): boolean {
    return (
      !this.#finished &&
      this.#catchUpAfter >= this.#catchUpEnd &&
      this.#pageHead === this.#page.length &&
      this.#liveHead === this.#live.length &&
      this.#lastActivity <= t
    );
  }

  /** fail ends the stream: the consumer's next `next()` throws err. */
  fail(err: Error): void {
    if (this.#finished) return;
    this.#failure = err;
    this.end();
  }

  /** end stops the stream; queued events are dropped. */
  end(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#page = [];
    this.#pageHead = 0;
    this.#live = [];
    this.#liveHead = 0;
    this.#detachSignal?.();
    this.#deps.unregister(this);
    this.#notify();
  }

  async next(): Promise<IteratorResult<StoreEvent>> {
    for (;;) {
      const event = this.#take();
      if (event) {
        this.#lastActivity = Date.now();
        return { value: event, done: false };
      }
      if (this.#failure) {
        const err = this.#failure;
        this.#failure = undefined; // throw once, then report done
        throw err;
      }
      if (this.#finished) return { value: undefined, done: true };
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  async return(): Promise<IteratorResult<StoreEvent>> {
    this.end();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<StoreEvent> {
    return this;
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** take returns the next deliverable event, reading a catch-up page when the last one is used up. */
  #take(): StoreEvent | undefined {
    while (!this.#finished) {
      if (this.#pageHead < this.#page.length) return this.#page[this.#pageHead++];
      if (this.#catchUpAfter < this.#catchUpEnd) {
        this.#readPage();
        continue;
      }
      if (this.#liveHead < this.#live.length) return this.#shiftLive();
      return undefined;
    }
    return undefined;
  }

  #shiftLive(): StoreEvent {
    const event = this.#live[this.#liveHead++]!;
    // Drop the consumed head now and then so a long-lived stream does not grow without bound.
    if (this.#liveHead >= 1024 && this.#liveHead * 2 >= this.#live.length) {
      this.#live = this.#live.slice(this.#liveHead);
      this.#liveHead = 0;
    }
    return event;
  }

  #readPage(): void {
    const { log, pageSize } = this.#deps;
    // Compaction may have run since the last page: rows this watcher has not
    // read yet could be gone, so it must re-list (etcd's ErrCompacted).
    const compacted = log.compactedRevision();
    if (this.#catchUpAfter < compacted) {
      this.fail(new CompactedError(this.#catchUpAfter, compacted));
      return;
    }
    const events = log.readEvents(this.prefix, this.#catchUpAfter, this.#catchUpEnd, pageSize);
    this.#catchUpAfter = events.length < pageSize ? this.#catchUpEnd : eventRevision(events[events.length - 1]!);
    this.#page = events;
    this.#pageHead = 0;
  }
}
