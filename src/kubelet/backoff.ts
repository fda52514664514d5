// SPDX-License-Identifier: Apache-2.0
/**
 * Backoff is client-go's flowcontrol.Backoff as the kubelet uses it for
 * CrashLoopBackOff and ImagePullBackOff: per key, the delay starts at
 * `initialMs`, doubles on each Next up to `maxMs`, and an entry whose last
 * update is older than twice the maximum starts over (so a container that
 * ran for 10 minutes with the default 5 min cap is back to 10 s).
 */

/** BackoffTimings are the injectable constants (defaults: 10 s doubling to 5 min, as upstream). */
export interface BackoffTimings {
  initialMs: number;
  maxMs: number;
}

/** DEFAULT_BACKOFF is upstream's container and image back-off. */
export const DEFAULT_BACKOFF: BackoffTimings = { initialMs: 10_000, maxMs: 300_000 };

interface Entry {
  delayMs: number;
  lastUpdate: number;
}

/** Backoff tracks per-key exponential delays. */
export class Backoff {
  readonly #t: BackoffTimings;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(timings: BackoffTimings = DEFAULT_BACKOFF, now: () => number = Date.now) {
    this.#t = timings;
    this.#now = now;
  }

  /** get is the current delay of key (0 when unknown). */
  get(key: string): number {
    return this.#entries.get(key)?.delayMs ?? 0;
  }

  /** next records an event at eventTime (ms) and grows key's delay. */
  next(key: string, eventTime: number): void {
    const e = this.#entries.get(key);
    if (!e || this.#expired(eventTime, e)) {
      this.#entries.set(key, { delayMs: this.#t.initialMs, lastUpdate: eventTime });
      return;
    }
    e.delayMs = Math.min(e.delayMs * 2, this.#t.maxMs);
    e.lastUpdate = eventTime;
  }

  /** inBackoffSince reports whether less than key's delay has passed since eventTime; remainingMs says how long is left. */
  inBackoffSince(key: string, eventTime: number): { inBackoff: boolean; remainingMs: number } {
    const e = this.#entries.get(key);
    if (!e || this.#expired(eventTime, e)) return { inBackoff: false, remainingMs: 0 };
    const remainingMs = e.delayMs - (this.#now() - eventTime);
    return { inBackoff: remainingMs > 0, remainingMs: Math.max(0, remainingMs) };
  }

  /** reset forgets key. */
  reset(key: string): void {
    this.#entries.delete(key);
  }

  /** forgetPrefix drops every key starting with prefix (a deleted pod's entries). */
  forgetPrefix(prefix: string): void {
    for (const k of this.#entries.keys()) if (k.startsWith(prefix)) this.#entries.delete(k);
  }

  #expired(eventTime: number, e: Entry): boolean {
    return eventTime - e.lastUpdate > 2 * this.#t.maxMs;
  }
}

/** formatDelay prints a delay as Go's time.Duration does for whole seconds and minutes ("10s", "1m20s", "5m0s"). */
export function formatDelay(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m${s % 60}s`;
}
