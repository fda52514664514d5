// SPDX-License-Identifier: Apache-2.0
/**
 * The shape every controller shares, as sample-controller's: event handlers
 * turn changes into keys on a work queue; `workers` loops take a key, call
 * `sync(key)`, and requeue it with back-off when sync throws (a transient
 * error). A sync that returns normally forgets the key's failures.
 */
import type { Clock } from './workqueue.js';
import { WorkQueue } from './workqueue.js';

/** Controller is one reconcile loop the controller manager runs. */
export interface Controller {
  readonly name: string;
  /** run processes keys with `workers` parallel loops until the signal aborts. */
  run(signal: AbortSignal, workers: number): Promise<void>;
}

/** ReconcilerOptions are the pieces a Reconciler needs beyond its sync function. */
export interface ReconcilerOptions {
  name: string;
  clock?: Clock;
  log?: (msg: string) => void;
  /** maxRetries drops a key after this many consecutive failures (upstream: 15 for most controllers); 0 means never. */
  maxRetries?: number;
}

/** Reconciler owns a controller's work queue and worker loops; subclasses provide sync(key). */
export abstract class Reconciler implements Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  readonly #opts: ReconcilerOptions;

  constructor(opts: ReconcilerOptions) {
    this.name = opts.name;
    this.#opts = opts;
    this.queue = new WorkQueue({ clock: opts.clock });
  }

  /** sync makes one reconcile step for key; throwing requeues the key with back-off. */
  abstract sync(key: string): Promise<void>;

  /** enqueue adds a key (`ns/name`). */
  enqueue(key: string): void {
    this.queue.add(key);
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    const stop = (): void => this.queue.shutDown();
    signal.addEventListener('abort', stop, { once: true });
    if (signal.aborted) stop();
    const loops = Array.from({ length: Math.max(1, workers) }, () => this.#worker());
    await Promise.all(loops);
  }

  /** processNext handles one key; it resolves false once the queue has shut down. Tests may call it directly. */
  async processNext(): Promise<boolean> {
    const key = await this.queue.get();
    if (key === undefined) return false;
    try {
      await this.sync(key);
      this.queue.forget(key);
    } catch (err) {
      const n = this.queue.numRequeues(key);
      const max = this.#opts.maxRetries ?? 0;
      if (max > 0 && n >= max) {
        this.#opts.log?.(`${this.name}: dropping ${key} after ${n} retries: ${(err as Error).message}`);
        this.queue.forget(key);
      } else {
        this.#opts.log?.(`${this.name}: error syncing ${key} (retrying): ${(err as Error).message}`);
        this.queue.addRateLimited(key);
      }
    } finally {
      this.queue.done(key);
    }
    return true;
  }

  async #worker(): Promise<void> {
    while (await this.processNext()) {
      // Keep going until shutDown drains the queue.
    }
  }
}
