// SPDX-License-Identifier: Apache-2.0
/** What the Store conformance suite's test groups share: the fixture, its options and watch helpers. */
import type { TestContext } from 'node:test';
import type { Store, StoreEvent } from './store.js';

/** StoreFixture is one fresh, empty store and how to dispose of it. */
export interface StoreFixture {
  store: Store;
  /** cleanup closes the newest store (the one reopen returned, if any) and removes its data. */
  cleanup(): Promise<void>;
  /** reopen closes the store and opens the same data again (durable backends only). */
  reopen?(): Promise<Store>;
}

/** StoreConformanceOptions says what the suite may assume about a backend's settings. */
export interface StoreConformanceOptions {
  /** An idle watch gets a progress event within this many ms (default 2,000). */
  progressWithinMs?: number;
  /** The backend's bound on queued watch events; without it the slow-watcher test is skipped. */
  watchQueueLimit?: number;
  /** Test titles to skip, each with the reason. */
  skip?: Record<string, string>;
}


export type Test = (f: StoreFixture, t: TestContext) => Promise<void>;

/** writeTimeline performs a small history under prefix and returns each write's revision. */
export async function writeTimeline(s: Store, prefix: string): Promise<number[]> {
  const a = await s.create(`${prefix}a`, '{"v":1}');
  const b = await s.create(`${prefix}b`, '{"v":1}');
  const a2 = await s.update(`${prefix}a`, '{"v":2}', a.modRevision);
  const bd = await s.delete(`${prefix}b`, b.modRevision);
  return [a.modRevision, b.modRevision, a2.modRevision, bd.modRevision];
}

/** collect reads a watch until `done` says so (or it ends), failing after timeoutMs. */
export async function collect(events: AsyncIterable<StoreEvent>, done: (seen: StoreEvent[]) => boolean, timeoutMs = 5_000): Promise<StoreEvent[]> {
  const seen: StoreEvent[] = [];
  const it = events[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  while (!done(seen)) {
    const left = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`watch timed out after ${seen.length} events`)), left)));
    try {
      const r = await Promise.race([it.next(), timeout]);
      if (r.done) break;
      seen.push(r.value);
    } finally {
      clearTimeout(timer);
    }
  }
  await it.return?.();
  return seen;
}

export function revisionOf(e: StoreEvent): number {
  return e.type === 'progress' ? e.revision : e.kv.modRevision;
}

export function changes(events: StoreEvent[]): Exclude<StoreEvent, { type: 'progress' }>[] {
  return events.filter((e): e is Exclude<StoreEvent, { type: 'progress' }> => e.type !== 'progress');
}
