// SPDX-License-Identifier: Apache-2.0
/**
 * BoundedFrequencyRunner runs a "sync everything" function at most so
 * often, as upstream's pkg/util/async.BoundedFrequencyRunner does for
 * kube-proxy: requests arriving within the interval coalesce into one run,
 * runs never overlap (a request during a run gets one more run after it),
 * and nothing runs once the owner is stopping. The Service proxy, the
 * NetworkPolicy enforcer and the Ingress controller sync through it.
 */

/** BoundedFrequencyRunnerOptions configures a runner. */
export interface BoundedFrequencyRunnerOptions {
  /** minIntervalMs is how long run() waits, gathering further requests, before running. */
  minIntervalMs: number;
  /** stopping tells when the owner is going down: no new runs start (the owner's lifecycle answers it). */
  stopping?: () => boolean;
  /** onError receives the failure of a run started by run(); runNow() callers get theirs directly. */
  onError?: (err: Error) => void;
}

export class BoundedFrequencyRunner {
  readonly #fn: () => Promise<void> | void;
  readonly #opts: BoundedFrequencyRunnerOptions;
  #timer?: NodeJS.Timeout;
  #running?: Promise<void>;

  constructor(fn: () => Promise<void> | void, opts: BoundedFrequencyRunnerOptions) {
    this.#fn = fn;
    this.#opts = opts;
  }

  get #stopping(): boolean {
    return this.#opts.stopping?.() ?? false;
  }

  /** run requests a run within `delayMs` (default minIntervalMs); requests meanwhile join it. */
  run(delayMs = this.#opts.minIntervalMs): void {
    if (this.#timer || this.#stopping) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.runNow().catch((err: Error) => this.#opts.onError?.(err));
    }, delayMs);
  }

  /** retryAfter requests a run `ms` from now without keeping the process alive for it (after a failure). */
  retryAfter(ms: number): void {
    if (!this.#stopping) setTimeout(() => this.run(), ms).unref();
  }

  /** cancelPending drops a requested run that has not started (a full sync is about to happen anyway). */
  cancelPending(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** runNow runs at once, after the run in flight if any, and resolves when done. */
  async runNow(): Promise<void> {
    while (this.#running) await this.#running.catch(() => undefined);
    if (this.#stopping) return;
    this.#running = (async () => this.#fn())();
    try {
      await this.#running;
    } finally {
      this.#running = undefined;
    }
  }

  /** stop cancels the pending run and waits for the one in flight (the owner's `stopping` keeps new ones out). */
  async stop(): Promise<void> {
    this.cancelPending();
    await this.#running?.catch(() => undefined);
  }
}
