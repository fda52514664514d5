// SPDX-License-Identifier: Apache-2.0
/**
 * SchedulingQueue holds pods waiting for a node, in three parts as
 * upstream's PriorityQueue (internal/queue/scheduling_queue.go):
 * - active: ready to try, highest priority first, then oldest;
 * - backoff: failed recently, waiting 1 s doubling to 10 s per attempt;
 * - unschedulable: failed, waiting for a cluster change (node added or
 *   updated, pod deleted) that might make them fit, or for a periodic flush.
 */
import type { Clock } from '../client/index.js';
import { systemClock } from '../client/index.js';
import type { PodInfo } from './framework/pod-info.js';

/** QueuedPod is a pod in the queue with its attempt history. */
export interface QueuedPod {
  info: PodInfo;
  attempts: number;
  /** addedAt orders pods of equal priority (first come, first served). */
  addedAt: number;
  /** backoffUntil is when the last failure's back-off ends (ms since epoch). */
  backoffUntil: number;
  /** seq breaks addedAt ties so the order is total. */
  seq: number;
}

/** SchedulingQueueOptions configures back-off and flush periods. */
export interface SchedulingQueueOptions {
  clock?: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** unschedulableFlushMs: pods sit in unschedulable at most this long before another try (upstream 5 min). */
  unschedulableFlushMs?: number;
}

function before(a: QueuedPod, b: QueuedPod): boolean {
  if (a.info.priority !== b.info.priority) return a.info.priority > b.info.priority;
  if (a.addedAt !== b.addedAt) return a.addedAt < b.addedAt;
  return a.seq < b.seq;
}

/** SchedulingQueue is the scheduler's pod queue; pop() waits for work. */
export class SchedulingQueue {
  readonly #clock: Clock;
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #flushMs: number;
  readonly #heap: QueuedPod[] = [];
  /** where says which part holds each key (the heap may hold stale entries, skipped on pop). */
  readonly #where = new Map<string, { part: 'active' | 'backoff' | 'unschedulable' | 'inflight'; qp: QueuedPod }>();
  #waiter?: () => void;
  #seq = 0;
  #closed = false;
  #timer?: unknown;

  constructor(opts: SchedulingQueueOptions = {}) {
    this.#clock = opts.clock ?? systemClock;
    this.#initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.#maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.#flushMs = opts.unschedulableFlushMs ?? 300_000;
  }

  /** size counts pods in every part (not those being scheduled). */
  get size(): number {
    let n = 0;
    for (const e of this.#where.values()) if (e.part !== 'inflight') n++;
    return n;
  }

  /** pending counts pods ready to pop now. */
  get pending(): number {
    let n = 0;
    for (const e of this.#where.values()) if (e.part === 'active') n++;
    return n;
  }

  /** has reports whether the queue knows a pod (queued or being scheduled). */
  has(key: string): boolean {
    return this.#where.has(key);
  }

  /** add queues a new pod, or refreshes the pod object of one already known. */
  add(info: PodInfo): void {
    const cur = this.#where.get(info.key);
    if (cur) {
      const priorityChanged = cur.qp.info.priority !== info.priority;
      cur.qp.info = info;
      // An update to an unschedulable pod may make it schedulable (upstream: move it on any spec change).
      if (cur.part === 'unschedulable' || (cur.part === 'active' && priorityChanged)) this.#toActiveOrBackoff(cur.qp);
      return;
    }
    const qp: QueuedPod = { info, attempts: 0, addedAt: this.#clock.now(), backoffUntil: 0, seq: this.#seq++ };
    this.#pushActive(qp);
  }

  /** refresh replaces the pod object of a known pod without moving it (status-only changes). */
  refresh(info: PodInfo): void {
    const cur = this.#where.get(info.key);
    if (cur) cur.qp.info = info;
  }

  /** delete drops a pod from the queue (deleted or bound elsewhere). */
  delete(key: string): void {
    this.#where.delete(key);
  }

  /** pop waits for the next pod to try; undefined once the queue is closed. */
  async pop(): Promise<QueuedPod | undefined> {
    for (;;) {
      if (this.#closed) return undefined;
      const qp = this.#popActive();
      if (qp) {
        this.#where.set(qp.info.key, { part: 'inflight', qp });
        return qp;
      }
      await new Promise<void>((r) => (this.#waiter = r));
    }
  }

  /** done forgets a pod that was scheduled (or dropped) after pop. */
  done(key: string): void {
    if (this.#where.get(key)?.part === 'inflight') this.#where.delete(key);
  }

  /** requeueUnschedulable parks a popped pod until a cluster change, with back-off for its next try. */
  requeueUnschedulable(qp: QueuedPod): void {
    if (this.#where.get(qp.info.key)?.qp !== qp) return;
    this.#failed(qp);
    this.#where.set(qp.info.key, { part: 'unschedulable', qp });
    this.#armTimer();
  }

  /** requeueBackoff sends a popped pod back after its back-off (an error, not a fit failure). */
  requeueBackoff(qp: QueuedPod): void {
    if (this.#where.get(qp.info.key)?.qp !== qp) return;
    this.#failed(qp);
    this.#where.set(qp.info.key, { part: 'backoff', qp });
    this.#armTimer();
  }

  /** requeueAfterError brings back a pod whose binding failed after done(), with back-off, unless an event re-queued it already. */
  requeueAfterError(qp: QueuedPod): void {
    if (this.#where.has(qp.info.key)) return;
    this.#failed(qp);
    this.#where.set(qp.info.key, { part: 'backoff', qp });
    this.#armTimer();
  }

  /** moveAllToActiveOrBackoff wakes every unschedulable pod after a cluster change that may help it. */
  moveAllToActiveOrBackoff(): void {
    for (const e of this.#where.values()) if (e.part === 'unschedulable') this.#toActiveOrBackoff(e.qp);
  }

  /** flush moves pods whose back-off ended, and pods unschedulable for too long, to active. Called by a timer. */
  flush(): void {
    const now = this.#clock.now();
    for (const e of this.#where.values()) {
      if (e.part === 'backoff' && e.qp.backoffUntil <= now) this.#pushActive(e.qp);
      else if (e.part === 'unschedulable' && now - e.qp.backoffUntil >= this.#flushMs) this.#pushActive(e.qp);
    }
    this.#armTimer();
  }

  /** close wakes pop() with undefined and stops timers. */
  close(): void {
    this.#closed = true;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#waiter?.();
  }

  #failed(qp: QueuedPod): void {
    qp.attempts++;
    const backoff = Math.min(this.#maxBackoffMs, this.#initialBackoffMs * 2 ** (qp.attempts - 1));
    qp.backoffUntil = this.#clock.now() + backoff;
  }

  #toActiveOrBackoff(qp: QueuedPod): void {
    if (qp.backoffUntil > this.#clock.now()) {
      this.#where.set(qp.info.key, { part: 'backoff', qp });
      this.#armTimer();
    } else {
      this.#pushActive(qp);
    }
  }

  #armTimer(): void {
    if (this.#timer || this.#closed) return;
    // One coarse timer, as upstream flushes its backoff queue every second.
    const period = Math.max(10, Math.min(1000, this.#initialBackoffMs));
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.flush();
    }, period);
  }

  #pushActive(qp: QueuedPod): void {
    this.#where.set(qp.info.key, { part: 'active', qp });
    const h = this.#heap;
    h.push(qp);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }

  #popActive(): QueuedPod | undefined {
    const h = this.#heap;
    while (h.length) {
      const top = h[0];
      const last = h.pop()!;
      if (h.length) {
        h[0] = last;
        this.#siftDown(0);
      }
      const e = this.#where.get(top.info.key);
      // Skip entries superseded by a later push, a delete, or a move to another part.
      if (e && e.part === 'active' && e.qp === top) return top;
    }
    return undefined;
  }

  #siftDown(i: number): void {
    const h = this.#heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l], h[m])) m = l;
      if (r < h.length && before(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
