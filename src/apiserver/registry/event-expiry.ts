// SPDX-License-Identifier: Apache-2.0
/**
 * EventExpiry deletes Events an --event-ttl after their last write (default
 * one hour), as upstream's apiserver does by writing every Event under an
 * etcd lease of that TTL (pkg/registry/core/event: TTLFunc). Without it the
 * event log, and with it the database, grows for as long as the cluster
 * runs. The last write is the newest of the times a writer stamps on each
 * write (lastTimestamp, series.lastObservedTime, eventTime, firstTimestamp,
 * creationTimestamp); the delete is conditional on the revision it read, so
 * an Event written again meanwhile lives on. Watchers see the deletes, as
 * they see a lease expire. Both Event APIs share this storage.
 */
import { isNotFound } from '../../machinery/index.js';
import { RevisionConflictError, KeyNotFoundError, type Store } from '../../storage/index.js';

/** EVENTS_PREFIX is where core/v1 and events.k8s.io/v1 Events are stored. */
const EVENTS_PREFIX = '/registry/events/';
/** DEFAULT_EVENT_TTL_MS is upstream's --event-ttl default (1h). */
export const DEFAULT_EVENT_TTL_MS = 60 * 60_000;
const PAGE = 500;

export interface EventExpiryOptions {
  store: Store;
  ttlMs?: number;
  /** How often expired Events are looked for (default a minute, or the TTL when shorter). */
  intervalMs?: number;
  now?: () => number;
  log?: (msg: string) => void;
}

interface StoredEvent {
  metadata?: { creationTimestamp?: string };
  lastTimestamp?: string;
  firstTimestamp?: string;
  eventTime?: string;
  series?: { lastObservedTime?: string };
}

/** lastWrite is when an Event was last written, as far as its own timestamps tell (0 when none parses). */
export function lastWrite(e: StoredEvent): number {
  const times = [e.lastTimestamp, e.series?.lastObservedTime, e.eventTime, e.firstTimestamp, e.metadata?.creationTimestamp]
    .map((t) => (t ? Date.parse(t) : NaN))
    .filter((t) => Number.isFinite(t));
  return times.length ? Math.max(...times) : 0;
}

export class EventExpiry {
  readonly #o: EventExpiryOptions;
  readonly #ttlMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(opts: EventExpiryOptions) {
    this.#o = opts;
    this.#ttlMs = opts.ttlMs ?? DEFAULT_EVENT_TTL_MS;
  }

  start(): void {
    if (this.#timer || this.#ttlMs <= 0) return;
    this.#timer = setInterval(() => {
      if (this.#running) return;
      this.#running = true;
      this.sweep()
        .catch((err) => this.#o.log?.(`event expiry: ${(err as Error).message}`))
        .finally(() => (this.#running = false));
    }, this.#o.intervalMs ?? Math.min(60_000, this.#ttlMs));
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** sweep deletes every Event past its TTL and answers how many went. */
  async sweep(): Promise<number> {
    const cutoff = (this.#o.now ?? Date.now)() - this.#ttlMs;
    let removed = 0;
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.#o.store.list({ prefix: EVENTS_PREFIX, startAfter, limit: PAGE });
      for (const kv of page.items) {
        let event: StoredEvent;
        try {
          event = JSON.parse(kv.value) as StoredEvent;
        } catch {
          continue; // not ours to judge (an encrypted or foreign value)
        }
        if (lastWrite(event) > cutoff) continue;
        try {
          await this.#o.store.delete(kv.key, kv.modRevision);
          removed++;
        } catch (err) {
          if (!(err instanceof RevisionConflictError || err instanceof KeyNotFoundError || isNotFound(err))) throw err;
        }
      }
      if (!page.continueAfter) break;
      startAfter = page.continueAfter;
    }
    return removed;
  }
}
