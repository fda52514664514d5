// SPDX-License-Identifier: Apache-2.0
/** FakeClock: controllers' and queues' tests drive time with it instead of waiting. */
import type { Clock } from './workqueue.js';

/** FakeClock is a Clock whose time moves only when a test calls step(). */
export class FakeClock implements Clock {
  #now: number;
  #timers: { at: number; fn: () => void; id: number }[] = [];
  #nextId = 1;

  constructor(start = Date.parse('2024-01-01T00:00:00Z')) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.push({ at: this.#now + ms, fn, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  /** pending is the number of timers not yet fired. */
  get pending(): number {
    return this.#timers.length;
  }

  /** step moves time forward and fires, in time order, every timer that falls due. */
  step(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const t = this.#timers[0];
      if (!t || t.at > end) break;
      this.#timers.shift();
      this.#now = t.at;
      t.fn();
    }
    this.#now = end;
  }
}
