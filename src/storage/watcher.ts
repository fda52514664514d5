// SPDX-License-Identifier: Apache-2.0
/**
 * One watch stream of the WatchBroadcaster: it replays the backend's log
 * from its start revision in pages, read lazily as the consumer pulls, then
 * delivers the live events queued for it. A watcher that does not keep up
 * is ended (WatcherTooSlowError) rather than skipped, as upstream's cacher does.
 */
import { CompactedError, WatcherTooSlowError } from './errors.js';
import type { StoreEvent } from './store.js';

/** WatchLog is what the broadcaster needs to read from a backend's revision log. */
export interface WatchLog {
  /** readEvents returns up to `limit` events under prefix with after < revision <= upTo, oldest first. */
  readEvents(prefix: string, after: number, upTo: number, limit: number): StoreEvent[];
  currentRevision(): number;
  compactedRevision(): number;
}

/** eventRevision is the revision an event stands for. */
export function eventRevision(event: StoreEvent): number {
  return event.type === 'progress' ? event.revision : event.kv.modRevision;
}

export interface WatcherDeps {
  log: WatchLog;
  pageSize: number;
  maxQueued: number;
  unregister(w: Watcher): void;
}

/** Watcher is one watch stream: catch-up pages from the log, then its live queue. */
export class Watcher implements AsyncIterableIterator<StoreEvent> {
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
