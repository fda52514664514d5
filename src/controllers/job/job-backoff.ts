// SPDX-License-Identifier: Apache-2.0
/**
 * Pod failure back-off of the Job controller (upstream backoff_utils.go):
 * after n consecutive failures (since the last success) new pods wait
 * 10 s × 2^(n-1) from the last failure, at most 10 minutes.
 */

/** DEFAULT_POD_FAILURE_BACKOFF_MS and MAX_POD_FAILURE_BACKOFF_MS are upstream's DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff. */
export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime: number;
}

/** BackoffStore keeps a record per Job key. */
export class BackoffStore {
  readonly #records = new Map<string, BackoffRecord>();

  /** observe updates the record with newly counted pods (their finish times in ms). */
  observe(key: string, succeeded: number, failedAt: readonly number[]): void {
    let r = this.#records.get(key) ?? { failuresAfterLastSuccess: 0, lastFailureTime: 0 };
    if (succeeded > 0) r = { failuresAfterLastSuccess: 0, lastFailureTime: 0 };
    for (const t of failedAt) r = { failuresAfterLastSuccess: r.failuresAfterLastSuccess + 1, lastFailureTime: Math.max(r.lastFailureTime, t) };
    this.#records.set(key, r);
  }

  /** remainingMs is how long pod creation must still wait (0: go ahead). */
  remainingMs(key: string, now: number): number {
    const r = this.#records.get(key);
    if (!r || r.failuresAfterLastSuccess === 0) return 0;
    const backoff = Math.min(DEFAULT_POD_FAILURE_BACKOFF_MS * 2 ** (r.failuresAfterLastSuccess - 1), MAX_POD_FAILURE_BACKOFF_MS);
    return Math.max(0, r.lastFailureTime + backoff - now);
  }

  delete(key: string): void {
    this.#records.delete(key);
  }
}
