// SPDX-License-Identifier: Apache-2.0
/**
 * Watch for one resource: optional initial state as synthetic ADDED events,
 * then changes from the store's revision log, filtered by selectors with
 * upstream's transitions (an object that stops matching is sent as DELETED,
 * one that starts matching as ADDED), bookmarks, and 410 Expired when the
 * requested revision has been compacted.
 */
import type { KubeList, KubeObject, WatchEvent } from '../../api/index.js';
import type { KeyValue, Store, StoreEvent } from '../../storage/index.js';
import { CompactedError, WatcherTooSlowError } from '../../storage/index.js';
import { StatusError, newGone } from '../../machinery/index.js';
import { decodeShared } from './object-codec.js';
import { parseResourceVersion } from './resource-version.js';

export interface WatchRequest {
  predicate?: (obj: KubeObject) => boolean;
  resourceVersion?: string;
  allowBookmarks?: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
}

/** SourcedWatchEvent carries the stored version it came from, so the HTTP layer can serialize it once for all watchers. */
export interface SourcedWatchEvent extends WatchEvent {
  source?: KeyValue;
}

export interface WatchResourceOptions {
  store: Store;
  prefix: string;
  request: WatchRequest;
  signal: AbortSignal;
  apiVersion: string;
  kind: string;
  /** decode turns a shared decoded object into the served form; it must not mutate what converters read. */
  decode(obj: KubeObject): KubeObject | Promise<KubeObject>;
  list(revision?: number): Promise<KubeList>;
}

/** INITIAL_EVENTS_END is the bookmark annotation that ends sendInitialEvents (upstream WatchList). */
const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/**
 * watchResource is one watch. Its live phase is a plain iterator rather than
 * an async generator: every committed write reaches each watcher of its
 * resource (the in-process informers too), and a generator's turns per event
 * and per watcher showed in the write path's profile.
 */
export function watchResource(o: WatchResourceOptions): AsyncIterableIterator<SourcedWatchEvent> {
  return new ResourceWatch(o);
}

const DONE: IteratorResult<SourcedWatchEvent> = Object.freeze({ value: undefined, done: true });

class ResourceWatch implements AsyncIterableIterator<SourcedWatchEvent> {
  readonly #o: WatchResourceOptions;
  readonly #ac = new AbortController();
  readonly #onAbort = (): void => this.#ac.abort();
  #timer: NodeJS.Timeout | undefined;
  /** The initial phase (list, initial events); it returns the revision the live phase starts after. */
  #initial: AsyncGenerator<SourcedWatchEvent, number | undefined> | undefined;
  #live: AsyncIterator<StoreEvent> | undefined;
  #started = false;
  #finished = false;

  constructor(o: WatchResourceOptions) {
    this.#o = o;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<SourcedWatchEvent> {
    return this;
  }

  next(): Promise<IteratorResult<SourcedWatchEvent>> {
    if (this.#finished) return Promise.resolve(DONE);
    // Live: straight to the store's next event (#nextLive ends the watch on any error it throws).
    if (this.#live) return this.#nextLive(this.#live);
    return this.#nextInitial();
  }

  async #nextInitial(): Promise<IteratorResult<SourcedWatchEvent>> {
    // Like a generator's body, the watch starts (listener, timeout, list) on the first next().
    if (!this.#started) this.#start();
    try {
      const r = await this.#initial!.next();
      if (!r.done) return r;
      this.#initial = undefined;
      if (r.value === undefined) return this.#finish();
      this.#live = this.#o.store.watch({ prefix: this.#o.prefix, afterRevision: r.value, signal: this.#ac.signal })[Symbol.asyncIterator]();
      return await this.#nextLive(this.#live);
    } catch (err) {
      this.#finish();
      throw err;
    }
  }

  async return(): Promise<IteratorResult<SourcedWatchEvent>> {
    if (this.#finished) return DONE;
    this.#finished = true; // a return() before the first next() ends the watch before it starts, as a generator's
    await this.#initial?.return(undefined);
    await this.#live?.return?.();
    this.#finished = false;
    return this.#finish();
  }

  #start(): void {
    this.#started = true;
    const o = this.#o;
    o.signal.addEventListener('abort', this.#onAbort, { once: true });
    const t = o.request.timeoutSeconds;
    if (t && t > 0) this.#timer = setTimeout(() => this.#ac.abort(), t * 1000);
    this.#initial = initialEvents(o);
  }

  /** nextLive is the next event from the store that this watch delivers. */
  async #nextLive(live: AsyncIterator<StoreEvent>): Promise<IteratorResult<SourcedWatchEvent>> {
    const req = this.#o.request;
    for (;;) {
      let r: IteratorResult<StoreEvent>;
      try {
        r = await live.next();
      } catch (err) {
        return this.#ended(err);
      }
      if (r.done) return this.#finish();
      const ev = r.value;
      if (ev.type === 'progress') {
        if (req.allowBookmarks) return { value: { type: 'BOOKMARK', object: bookmark(this.#o, ev.revision) }, done: false };
        continue;
      }
      let out: SourcedWatchEvent | undefined | Promise<SourcedWatchEvent | undefined>;
      try {
        out = toWatchEvent(this.#o, ev.type, ev.kv, ev.prev);
        if (out instanceof Promise) out = await out;
      } catch (err) {
        const aborted = this.#ac.signal.aborted;
        // As a for-await loop does when its body throws: the store's watch is closed first.
        try {
          await live.return?.();
        } finally {
          this.#finish();
        }
        return this.#ended(err, aborted);
      }
      if (out) return { value: out, done: false };
    }
  }

  /** ended is how the live phase ends on an error: 410 for a compacted revision, quietly when too slow or aborted. */
  #ended(err: unknown, aborted = this.#ac.signal.aborted): IteratorResult<SourcedWatchEvent> {
    this.#finish();
    if (err instanceof CompactedError) return { value: errorEvent(newGone(`too old resource version: ${err.requested} (${err.compacted})`)), done: false };
    // A watcher that fell behind is ended; the client watches again from its last revision.
    if (err instanceof WatcherTooSlowError || aborted) return DONE;
    throw err;
  }

  /** finish ends the watch once: later next() calls are done, the timer and the abort listener are gone. */
  #finish(): IteratorResult<SourcedWatchEvent> {
    if (!this.#finished) {
      this.#finished = true;
      if (this.#timer) clearTimeout(this.#timer);
      this.#o.signal.removeEventListener('abort', this.#onAbort);
      this.#ac.abort();
    }
    return DONE;
  }
}

/**
 * initialEvents yields the initial state (a list as synthetic ADDED events,
 * with sendInitialEvents its closing bookmark) and returns the revision the
 * watch continues after, or undefined when it ended (410 on the list).
 */
async function* initialEvents(o: WatchResourceOptions): AsyncGenerator<SourcedWatchEvent, number | undefined> {
  const { request: req } = o;
  const rv = req.resourceVersion;
  const initial = rv === undefined || rv === '' || rv === '0' || req.sendInitialEvents === true;
  if (!initial) return parseResourceVersion(rv);
  let list: KubeList;
  try {
    list = await o.list(rv && rv !== '0' ? parseResourceVersion(rv) : undefined);
  } catch (err) {
    if (err instanceof StatusError && err.code === 410) {
      yield errorEvent(err);
      return undefined;
    }
    throw err;
  }
  for (const item of list.items) yield { type: 'ADDED', object: item };
  const after = Number(list.metadata.resourceVersion);
  if (req.sendInitialEvents && req.allowBookmarks) {
    yield { type: 'BOOKMARK', object: bookmark(o, after, { [INITIAL_EVENTS_END]: 'true' }) };
  }
  return after;
}

/**
 * served memoizes the served form of a stored version per served
 * apiVersion and kind: every watcher of a write gets the one object (read-only,
 * as all watch objects), as upstream's watch cache shares one object among
 * its watchers and converts once per version. A conversion in flight is
 * shared too; one that fails is forgotten, so each watcher meets the error.
 */
const served = new WeakMap<KeyValue, Map<string, KubeObject | Promise<KubeObject>>>();

function servedObject(o: WatchResourceOptions, kv: KeyValue): KubeObject | Promise<KubeObject> {
  const variant = o.apiVersion + ' ' + o.kind;
  let m = served.get(kv);
  const hit = m?.get(variant);
  if (hit) return hit;
  if (!m) served.set(kv, (m = new Map()));
  const map = m;
  const obj = o.decode(decodeShared(kv));
  if (!(obj instanceof Promise)) {
    map.set(variant, obj);
    return obj;
  }
  const pending = obj.then(
    (x) => {
      map.set(variant, x);
      return x;
    },
    (err: unknown) => {
      map.delete(variant);
      throw err;
    },
  );
  map.set(variant, pending);
  return pending;
}

/** toWatchEvent is what a store event is to this watch, or undefined when its predicate filters it out; synchronous once the served object is known. */
function toWatchEvent(o: WatchResourceOptions, type: 'put' | 'delete', kv: KeyValue, prev?: KeyValue): SourcedWatchEvent | undefined | Promise<SourcedWatchEvent | undefined> {
  if (type === 'delete') return deletedEvent(o, kv, prev);
  const obj = servedObject(o, kv);
  if (obj instanceof Promise) return obj.then((x) => putEvent(o, x, kv, prev));
  return putEvent(o, obj, kv, prev);
}

async function deletedEvent(o: WatchResourceOptions, kv: KeyValue, prev?: KeyValue): Promise<SourcedWatchEvent | undefined> {
  const pred = o.request.predicate;
  const last = prev ?? kv;
  const obj = await o.decode(structuredClone(decodeShared(last)));
  obj.metadata.resourceVersion = String(kv.modRevision);
  if (pred && !pred(obj)) return undefined;
  return { type: 'DELETED', object: obj };
}

function putEvent(o: WatchResourceOptions, obj: KubeObject, kv: KeyValue, prev?: KeyValue): SourcedWatchEvent | undefined | Promise<SourcedWatchEvent | undefined> {
  const pred = o.request.predicate;
  if (!pred) return { type: prev ? 'MODIFIED' : 'ADDED', object: obj, source: kv };
  const now = pred(obj);
  if (!prev) return now ? { type: 'ADDED', object: obj, source: kv } : undefined;
  return (async () => {
    const before = pred(await o.decode(structuredClone(decodeShared(prev))));
    if (now && before) return { type: 'MODIFIED', object: obj, source: kv };
    if (now) return { type: 'ADDED', object: obj, source: kv };
    if (before) return { type: 'DELETED', object: obj, source: kv };
    return undefined;
  })();
}

function bookmark(o: WatchResourceOptions, revision: number, annotations?: Record<string, string>): KubeObject {
  const metadata: KubeObject['metadata'] = { resourceVersion: String(revision) };
  if (annotations) metadata.annotations = annotations;
  return { apiVersion: o.apiVersion, kind: o.kind, metadata };
}

function errorEvent(err: StatusError): SourcedWatchEvent {
  return { type: 'ERROR', object: err.toStatus() as unknown as KubeObject };
}
