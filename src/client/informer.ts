// SPDX-License-Identifier: Apache-2.0
/**
 * Shared informers, as client-go's (k8s.io/client-go/tools/cache): list a
 * resource, then watch it from the list's resourceVersion, keep a local cache
 * with indexes, and tell event handlers what changed. Controllers decide from
 * the cache, never from an event's payload.
 *
 * OBJECTS IN THE CACHE ARE READ-ONLY. They are shared by every controller
 * (and, in process, with the API server's watch fan-out). Never change one:
 * `deepClone` it first and send the copy through the Client.
 */
import type { KubeObject, WatchEvent } from '../api/index.js';
import { lookupResource } from '../api/index.js';
import { StatusError } from '../machinery/index.js';
import type { Client, ResourceRef } from './client.js';
import { IndexedCache, keyOf, NAMESPACE_INDEX, type Indexer } from './indexed-cache.js';
import { systemClock, type Clock } from './workqueue.js';

/** ResourceEventHandlers are called, in order, for every change the informer sees. They must not block or throw. */
export interface ResourceEventHandlers<T> {
  onAdd?(obj: T): void;
  /** onUpdate gets old === new on a periodic resync. */
  onUpdate?(oldObj: T, newObj: T): void;
  /** onDelete gets the last state the cache knew. */
  onDelete?(obj: T): void;
}

/** InformerOptions narrows what an informer watches and how. */
export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** resyncMs re-delivers every cached object as an update this often (0 or unset: never). */
  resyncMs?: number;
  log?: (msg: string) => void;
  clock?: Clock;
}

const BACKOFF_START_MS = 800;
const BACKOFF_MAX_MS = 30_000;

/**
 * SharedInformer keeps a cache of one resource (optionally one namespace and
 * selectors) in step with the API server. Call `run(signal)` once (the
 * InformerFactory does it); add handlers and indexers at any time.
 */
export class SharedInformer<T extends KubeObject = KubeObject> {
  readonly ref: ResourceRef;
  readonly #client: Client;
  readonly #opts: InformerOptions;
  readonly #clock: Clock;
  readonly #kind: string;
  readonly #apiVersion: string;
  readonly #items: IndexedCache<T>;
  readonly #handlers: ResourceEventHandlers<T>[] = [];
  #synced = false;
  #syncWaiters: (() => void)[] = [];
  #resourceVersion = '';
  #running = false;

  constructor(client: Client, ref: ResourceRef, opts: InformerOptions = {}) {
    this.#client = client;
    this.ref = ref;
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    const info = lookupResource(ref.group, ref.version, ref.resource);
    this.#kind = info?.kind ?? '';
    this.#apiVersion = ref.group ? `${ref.group}/${ref.version}` : ref.version;
    this.#items = new IndexedCache<T>((err) => this.#log(`informer ${this.ref.resource}: indexer failed: ${err.message}`));
    this.addIndexer(NAMESPACE_INDEX, (o) => [o.metadata.namespace ?? '']);
  }

  /** addIndexer registers a named index; objects already cached are indexed at once. */
  addIndexer(name: string, fn: Indexer<T>): void {
    this.#items.addIndexer(name, fn);
  }

  /** addEventHandler subscribes to changes; objects already cached are delivered as adds first, as client-go does. */
  addEventHandler(h: ResourceEventHandlers<T>): void {
    this.#handlers.push(h);
    for (const obj of this.#items.values()) this.#call(() => h.onAdd?.(obj));
  }

  /** get returns the cached object for a key (`ns/name` or `name`). Read-only. */
  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  /** list returns every cached object. Read-only. */
  list(): T[] {
    return [...this.#items.values()];
  }

  /** listNamespace returns the cached objects of one namespace. Read-only. */
  listNamespace(namespace: string): T[] {
    return this.byIndex(NAMESPACE_INDEX, namespace);
  }

  /** byIndex returns the cached objects whose indexer yielded `value`. Read-only. */
  byIndex(indexName: string, value: string): T[] {
    const out = this.#items.byIndex(indexName, value);
    if (!out) throw new Error(`informer ${this.ref.resource}: no index ${JSON.stringify(indexName)}`);
    return out;
  }

  /** hasSynced is true once the first list has filled the cache. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** lastSyncResourceVersion is the resourceVersion the cache reflects. */
  get lastSyncResourceVersion(): string {
    return this.#resourceVersion;
  }

  /** waitForSync resolves true once synced, or false if the signal aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      });
    });
  }

  /** run lists and watches until the signal aborts; it never throws. Calling it twice is a no-op. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    let backoff = BACKOFF_START_MS;
    let needList = true;
    let resyncTimer: unknown;
    if (this.#opts.resyncMs) resyncTimer = this.#scheduleResync(signal);
    while (!signal.aborted) {
      const started = this.#clock.now();
      try {
        if (needList) await this.#listAndReplace(signal);
        needList = await this.#watch(signal);
        // A watch that ends at once (server shutting down, proxy closing it) must not turn into a hot loop.
        if (this.#clock.now() - started >= 1000 || needList) {
          backoff = BACKOFF_START_MS;
          continue;
        }
      } catch (err) {
        if (signal.aborted) break;
        needList = true;
        if (isGoneError(err)) continue;
        this.#log(`list/watch ${this.ref.resource} failed (retry in ${backoff} ms): ${(err as Error).message}`);
      }
      await sleep(this.#clock, backoff, signal);
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    }
    if (resyncTimer !== undefined) this.#clock.clearTimeout(resyncTimer);
    this.#running = false;
  }

  /** listAndReplace lists everything and makes the cache equal to it, telling handlers the difference. */
  async #listAndReplace(signal: AbortSignal): Promise<void> {
    const list = await this.#client.list<T>(this.ref, { ...this.#selection(), signal });
    const seen = new Set<string>();
    for (const raw of list.items) {
      const obj = this.#typed(raw);
      const key = keyOf(obj);
      seen.add(key);
      this.#upsert(key, obj);
    }
    for (const [key, old] of [...this.#items.entries()]) if (!seen.has(key)) this.#remove(key, old);
    this.#resourceVersion = list.metadata.resourceVersion ?? '';
    if (!this.#synced) {
      this.#synced = true;
      const waiters = this.#syncWaiters;
      this.#syncWaiters = [];
      for (const w of waiters) w();
    }
  }

  /**
   * watch applies events until the stream ends. It returns true when the
   * cache must be re-listed (410 Gone, or any ERROR event), false when the
   * watch simply ended (server timeout) and can resume from the last
   * resourceVersion.
   */
  async #watch(signal: AbortSignal): Promise<boolean> {
    // Servers end watches after timeoutSeconds; a random 5-10 minutes spreads the re-watches, as client-go's reflector does.
    const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
    const stream = this.#client.watch<T>(this.ref, {
      ...this.#selection(),
      resourceVersion: this.#resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds,
      signal,
    });
    for await (const ev of stream) {
      if (signal.aborted) return false;
      if (ev.type === 'ERROR') {
        const status = ev.object as unknown as { code?: number; message?: string };
        if (status.code !== 410) this.#log(`watch ${this.ref.resource}: ${status.message ?? 'error'}; re-listing`);
        return true;
      }
      this.#apply(ev);
    }
    return false;
  }

  #apply(ev: WatchEvent<T>): void {
    const rv = ev.object.metadata?.resourceVersion;
    if (ev.type === 'BOOKMARK') {
      if (rv) this.#resourceVersion = rv;
      return;
    }
    const obj = this.#typed(ev.object);
    const key = keyOf(obj);
    if (ev.type === 'DELETED') {
      const old = this.#items.get(key);
      if (old) this.#remove(key, old);
    } else {
      this.#upsert(key, obj);
    }
    if (rv) this.#resourceVersion = rv;
  }

  #upsert(key: string, obj: T): void {
    const old = this.#items.get(key);
    if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    this.#items.replace(key, obj, old);
    // Called in place rather than through #call: this runs for every event of every informer.
    for (const h of this.#handlers) {
      try {
        if (old) h.onUpdate?.(old, obj);
        else h.onAdd?.(obj);
      } catch (err) {
        this.#handlerThrew(err);
      }
    }
  }

  #remove(key: string, old: T): void {
    this.#items.delete(key, old);
    for (const h of this.#handlers) this.#call(() => h.onDelete?.(old));
  }

  /** typed fills in apiVersion/kind when a list item lacks them, without touching the shared original. */
  #typed(obj: T): T {
    if (obj.apiVersion && obj.kind) return obj;
    return { ...obj, apiVersion: this.#apiVersion, kind: this.#kind };
  }

  #selection(): { namespace?: string; labelSelector?: string; fieldSelector?: string } {
    const { namespace, labelSelector, fieldSelector } = this.#opts;
    return { namespace, labelSelector, fieldSelector };
  }

  #scheduleResync(signal: AbortSignal): unknown {
    return this.#clock.setTimeout(() => {
      if (signal.aborted) return;
      for (const obj of this.#items.values()) for (const h of this.#handlers) this.#call(() => h.onUpdate?.(obj, obj));
      this.#scheduleResync(signal);
    }, this.#opts.resyncMs!);
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#handlerThrew(err);
    }
  }

  #handlerThrew(err: unknown): void {
    this.#log(`informer ${this.ref.resource}: event handler threw: ${(err as Error).stack ?? err}`);
  }

  #log(msg: string): void {
    this.#opts.log?.(msg);
  }
}

function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = (): void => {
      clock.clearTimeout(h);
      resolve();
    };
    const h = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** isGoneError reports a 410 from list or watch (the requested resourceVersion was compacted). */
export function isGoneError(err: unknown): boolean {
  return err instanceof StatusError && err.code === 410;
}
