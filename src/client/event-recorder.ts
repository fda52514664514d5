// SPDX-License-Identifier: Apache-2.0
/**
 * EventRecorder writes core/v1 Events about objects, as client-go's legacy
 * recorder does (k8s.io/client-go/tools/record): the Event is named
 * `<object name>.<timestamp in hex>`, lives in the object's namespace
 * (`default` for cluster-scoped objects), and a repeat of the same
 * (object, type, reason, message) bumps `count` and `lastTimestamp` of the
 * existing Event instead of creating another (the EventCorrelator's
 * dedup step).
 */
import type { KubeObject } from '../api/index.js';
import { isNotFound, rfc3339 } from '../machinery/index.js';
import { R, type Client } from './client.js';

/** EventType is Normal or Warning, as upstream. */
export type EventType = 'Normal' | 'Warning';

/** EventRecorderOptions configures an EventRecorder. */
export interface EventRecorderOptions {
  /** host fills source.host and reportingInstance (upstream: the node or the controller's hostname). */
  host?: string;
  log?: (msg: string) => void;
  now?: () => Date;
}

interface Seen {
  namespace: string;
  name: string;
  count: number;
}

/** MAX_REMEMBERED bounds the dedup cache, as upstream's LRU of 4096 entries. */
const MAX_REMEMBERED = 4096;

/** EventRecorder records Events for one component (source.component). */
export class EventRecorder {
  readonly component: string;
  readonly #client: Client;
  readonly #opts: EventRecorderOptions;
  /** seen is an insertion-ordered LRU of recently written Events by dedup key. */
  readonly #seen = new Map<string, Seen>();
  #pending: Promise<void> = Promise.resolve();

  constructor(client: Client, component: string, opts: EventRecorderOptions = {}) {
    this.#client = client;
    this.component = component;
    this.#opts = opts;
  }

  /**
   * event records an Event about obj. It never throws: writing Events is best
   * effort (upstream drops them too when the API is unavailable). The
   * returned promise settles once this Event is written, for tests.
   */
  event(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const write = this.#pending.then(() => this.#write(obj, type, reason, message));
    this.#pending = write.catch(() => undefined);
    return this.#pending;
  }

  /** flush resolves once every Event recorded so far has been written (or dropped). */
  flush(): Promise<void> {
    return this.#pending;
  }

  async #write(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const m = obj.metadata;
    const key = [obj.apiVersion, obj.kind, m.namespace ?? '', m.name, m.uid ?? '', type, reason, message].join('\u0000');
    const now = rfc3339(this.#opts.now?.() ?? new Date());
    const seen = this.#seen.get(key);
    try {
      if (seen) {
        this.#seen.delete(key);
        const count = seen.count + 1;
        try {
          await this.#client.patch(R.events, seen.name, 'strategic', { count, lastTimestamp: now, message }, { namespace: seen.namespace });
          this.#remember(key, { ...seen, count });
          return;
        } catch (err) {
          // The Event expired (upstream's TTL is one hour) or was deleted: start a new one.
          if (!isNotFound(err)) throw err;
        }
      }
      const ev = this.#newEvent(obj, type, reason, message, now);
      await this.#client.create(R.events, ev, { namespace: ev.metadata.namespace });
      this.#remember(key, { namespace: ev.metadata.namespace!, name: ev.metadata.name!, count: 1 });
    } catch (err) {
      this.#opts.log?.(`event ${reason} on ${obj.kind} ${m.namespace ? m.namespace + '/' : ''}${m.name} dropped: ${(err as Error).message}`);
    }
  }

  #remember(key: string, s: Seen): void {
    this.#seen.set(key, s);
    if (this.#seen.size > MAX_REMEMBERED) this.#seen.delete(this.#seen.keys().next().value!);
  }

  #newEvent(obj: KubeObject, type: EventType, reason: string, message: string, now: string): KubeObject {
    const m = obj.metadata;
    const namespace = m.namespace || 'default';
    // Upstream names Events `<name>.<UnixNano in hex>`; milliseconds × 1e6 plus a random tail keeps names unique within a millisecond.
    const nanos = BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000));
    const source: Record<string, string> = { component: this.component };
    if (this.#opts.host) source.host = this.#opts.host;
    const involvedObject: Record<string, string> = { kind: obj.kind ?? '', name: m.name ?? '', apiVersion: obj.apiVersion ?? '' };
    if (m.namespace) involvedObject.namespace = m.namespace;
    if (m.uid) involvedObject.uid = m.uid;
    if (m.resourceVersion) involvedObject.resourceVersion = m.resourceVersion;
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${m.name}.${nanos.toString(16)}`, namespace },
      involvedObject,
      reason,
      message,
      source,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: this.component,
      reportingInstance: this.#opts.host ?? '',
    };
  }
}
