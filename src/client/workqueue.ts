// SPDX-License-Identifier: Apache-2.0
/**
 * A rate-limited work queue of string keys, with client-go's guarantees
 * (k8s.io/client-go/util/workqueue): a key queued twice is processed once;
 * a key is never handed to two workers at once (a key added while it is
 * being processed is parked in `dirty` and queued again on `done`); failed
 * keys come back after a per-item exponential back-off.
 */

/** Clock is the time source of the queue and of controllers, injectable so tests drive time by hand. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** systemClock is the real wall clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pending retry must not keep the process alive on its own.
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** WorkQueueOptions configures a WorkQueue; the defaults are client-go's item back-off (5 ms doubling to 1000 s). */
export interface WorkQueueOptions {
  clock?: Clock;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * WorkQueue holds keys waiting for a worker. Workers loop on
 * `const key = await q.get(); if (key === undefined) return; try { ... } finally { q.done(key) }`.
 */
export class WorkQueue {
  readonly #clock: Clock;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  /** queue is the FIFO order of keys ready to be handed out; every key in it is also in dirty. */
  #queue: string[] = [];
  /** dirty holds keys that need processing (queued, or re-added while processing). */
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #failures = new Map<string, number>();
  /** waiting maps a delayed key to its timer and due time; only the earliest add wins. */
  readonly #waiting = new Map<string, { handle: unknown; due: number }>();
  #getters: ((key: string | undefined) => void)[] = [];
  #shuttingDown = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.#clock = opts.clock ?? systemClock;
    this.#baseDelayMs = opts.baseDelayMs ?? 5;
    this.#maxDelayMs = opts.maxDelayMs ?? 1_000_000;
  }

  /** length is the number of keys ready to be handed out. */
  get length(): number {
    return this.#queue.length;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** add queues a key unless it is already queued; a key being processed is queued again when done. */
  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    const getter = this.#getters.shift();
    if (getter) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      getter(key);
      return;
    }
    this.#queue.push(key);
  }

  /** addAfter queues a key once `ms` have passed; an earlier pending deadline for the same key is kept. */
  addAfter(key: string, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const due = this.#clock.now() + ms;
    const prev = this.#waiting.get(key);
    if (prev && prev.due <= due) return;
    if (prev) this.#clock.clearTimeout(prev.handle);
    const handle = this.#clock.setTimeout(() => {
      this.#waiting.delete(key);
      this.add(key);
    }, ms);
    this.#waiting.set(key, { handle, due });
  }

  /** addRateLimited queues a key after its back-off: base × 2^failures, capped at the maximum. */
  addRateLimited(key: string): void {
    const n = this.#failures.get(key) ?? 0;
    this.#failures.set(key, n + 1);
    this.addAfter(key, Math.min(this.#baseDelayMs * 2 ** n, this.#maxDelayMs));
  }

  /** forget clears a key's failure count (call it after a successful sync). */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** numRequeues is how many times a key has failed since it was last forgotten. */
  numRequeues(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** get waits for the next key; it resolves undefined once the queue is shut down and drained. */
  get(): Promise<string | undefined> {
    const key = this.#queue.shift();
    if (key !== undefined) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      return Promise.resolve(key);
    }
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  /** done marks a key processed; if it was added meanwhile it is queued again now. */
  done(key: string): void {
    this.#processing.delete(key);
    if (!this.#dirty.has(key)) return;
    this.#dirty.delete(key);
    this.add(key);
  }

  /** shutDown stops accepting keys and wakes every waiting worker with undefined. */
  shutDown(): void {
    this.#shuttingDown = true;
    for (const w of this.#waiting.values()) this.#clock.clearTimeout(w.handle);
    this.#waiting.clear();
    const getters = this.#getters;
    this.#getters = [];
    for (const g of getters) g(undefined);
  }
}
