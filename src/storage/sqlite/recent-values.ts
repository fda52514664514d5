// SPDX-License-Identifier: Apache-2.0
/**
 * RecentValues keeps the current value of keys read lately, so a key read
 * on every request (a namespace on every create into it, a Lease renewed
 * every few seconds, an object fetched again and again) is answered from
 * memory instead of a SQL query. It is exact, not eventually consistent:
 * SqliteStore is the only writer of its file (EXCLUSIVE locking) and
 * replaces or drops a key's entry in the same synchronous step as the
 * COMMIT that wrote the key, before any caller is answered. Entries are
 * bounded by the total length of their values; the oldest go first.
 */
import type { KeyValue } from '../store.js';

/** Values longer than this are not kept (one large object should not push out many small ones). */
const MAX_VALUE_LENGTH = 64 * 1024;

export class RecentValues {
  readonly #maxTotal: number;
  readonly #entries = new Map<string, KeyValue>();
  #total = 0;

  constructor(maxTotalLength = 1024 * 1024) {
    this.#maxTotal = maxTotalLength;
  }

  get(key: string): KeyValue | undefined {
    return this.#entries.get(key);
  }

  /** remember keeps a value just read from the file. */
  remember(kv: KeyValue): void {
    if (kv.value.length > MAX_VALUE_LENGTH) return;
    this.#drop(kv.key);
    this.#entries.set(kv.key, kv);
    this.#total += kv.value.length;
    for (const [key] of this.#entries) {
      if (this.#total <= this.#maxTotal) break;
      this.#drop(key);
    }
  }

  /** written updates a kept key after a committed write: its new value, or nothing after a delete. */
  written(key: string, kv: KeyValue | undefined): void {
    if (!this.#entries.has(key)) return;
    this.#drop(key);
    if (kv) this.remember(kv);
  }

  clear(): void {
    this.#entries.clear();
    this.#total = 0;
  }

  #drop(key: string): void {
    const old = this.#entries.get(key);
    if (!old) return;
    this.#entries.delete(key);
    this.#total -= old.value.length;
  }
}
