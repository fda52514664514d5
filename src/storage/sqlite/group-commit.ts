// SPDX-License-Identifier: Apache-2.0
/**
 * GroupCommit batches the writes that arrive while the event loop is busy
 * into one SQLite transaction, the way databases group commits: every write
 * submitted before the batch runs is applied in submission order inside one
 * BEGIN ... COMMIT, and each caller is answered only after the COMMIT that
 * contains its write. Under 50 concurrent clients this turns 50 WAL appends
 * (each a write(2) of its own frames and a commit record) into one.
 *
 * A write that is refused (its key exists, its expected revision is stale)
 * is refused alone: its check runs before it writes anything, so the batch
 * goes on and commits the others. Any other failure (a full disk, an I/O
 * error) rolls the batch back and runs each write in its own transaction,
 * so a failure is only ever the failing write's own, as before batching.
 */

/** Transaction is the SQLite connection's transaction control. */
export interface Transaction {
  begin(): void;
  commit(): void;
  /** rollback ends the open transaction, if SQLite has not ended it already. */
  rollback(): void;
}

export interface GroupCommitOptions<R> {
  tx: Transaction;
  /** isRefusal tells a write's own refusal (thrown before it wrote) from a failure of the transaction. */
  isRefusal(err: unknown): boolean;
  /** committed is told the results of one committed transaction, in order, before any caller is answered. */
  committed(results: R[]): void;
  /** Writes per transaction at most (default 256), so one commit never holds the event loop long. */
  maxBatch?: number;
  /** schedule runs the batch later (default setImmediate: after the I/O callbacks that submitted writes). */
  schedule?: (run: () => void) => void;
}

interface Pending<R> {
  apply: () => R;
  resolve: (r: R) => void;
  reject: (err: unknown) => void;
}

type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export class GroupCommit<R> {
  readonly #opts: GroupCommitOptions<R>;
  readonly #maxBatch: number;
  readonly #schedule: (run: () => void) => void;
  #queue: Pending<R>[] = [];
  #scheduled = false;

  constructor(opts: GroupCommitOptions<R>) {
    this.#opts = opts;
    this.#maxBatch = opts.maxBatch ?? 256;
    this.#schedule = opts.schedule ?? ((run) => void setImmediate(run));
  }

  /**
   * submit queues a write; `apply` runs later inside the batch's transaction
   * (it checks and writes, and sees the writes queued before it). The
   * promise settles after that transaction committed or rolled back.
   */
  submit(apply: () => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ apply, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        this.#schedule(() => this.flush());
      }
    });
  }

  /** flush commits everything queued now (the store calls it before it closes). */
  flush(): void {
    this.#scheduled = false;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      const outcomes = this.#runBatch(batch) ?? batch.map((p) => this.#runAlone(p));
      for (let i = 0; i < batch.length; i++) {
        const o = outcomes[i]!;
        if (o.ok) batch[i]!.resolve(o.value);
        else batch[i]!.reject(o.error);
      }
    }
  }

  /** runBatch applies and commits the whole batch, or returns undefined after rolling it back. */
  #runBatch(batch: Pending<R>[]): Outcome<R>[] | undefined {
    const { tx } = this.#opts;
    const outcomes: Outcome<R>[] = [];
    try {
      tx.begin();
      for (const p of batch) {
        try {
          outcomes.push({ ok: true, value: p.apply() });
        } catch (err) {
          if (!this.#opts.isRefusal(err)) throw err;
          outcomes.push({ ok: false, error: err });
        }
      }
      tx.commit();
    } catch {
      tx.rollback();
      return undefined;
    }
    this.#opts.committed(outcomes.flatMap((o) => (o.ok ? [o.value] : [])));
    return outcomes;
  }

  #runAlone(p: Pending<R>): Outcome<R> {
    const { tx } = this.#opts;
    let value: R;
    try {
      tx.begin();
      value = p.apply();
      tx.commit();
    } catch (error) {
      tx.rollback();
      return { ok: false, error };
    }
    this.#opts.committed([value]);
    return { ok: true, value };
  }
}
