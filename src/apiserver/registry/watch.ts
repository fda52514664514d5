// SPDX-License-Identifier: Apache-2.0
/**
 * Watch for one resource: optional initial state as synthetic ADDED events,
 * then changes from the store's revision log, filtered by selectors with
 * upstream's transitions (an object that stops matching is sent as DELETED,
 * one that starts matching as ADDED), bookmarks, and 410 Expired when the
 * requested revision has been compacted.
 */
import type { KubeList, KubeObject, WatchEvent } from '../../api/index.js';
import type { KeyValue, Store } from '../../storage/index.js';
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

export async function* watchResource(o: WatchResourceOptions): AsyncGenerator<SourcedWatchEvent> {
  const { request: req } = o;
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  const timer = req.timeoutSeconds && req.timeoutSeconds > 0 ? setTimeout(() => ac.abort(), req.timeoutSeconds * 1000) : undefined;
  try {
    let after: number;
    const rv = req.resourceVersion;
    const initial = rv === undefined || rv === '' || rv === '0' || req.sendInitialEvents === true;
    if (initial) {
      let list: KubeList;
      try {
        list = await o.list(rv && rv !== '0' ? parseResourceVersion(rv) : undefined);
      } catch (err) {
        if (err instanceof StatusError && err.code === 410) {
          yield errorEvent(err);
          return;
        }
        throw err;
      }
      for (const item of list.items) yield { type: 'ADDED', object: item };
      after = Number(list.metadata.resourceVersion);
      if (req.sendInitialEvents && req.allowBookmarks) {
        yield { type: 'BOOKMARK', object: bookmark(o, after, { [INITIAL_EVENTS_END]: 'true' }) };
      }
    } else {
      after = parseResourceVersion(rv);
    }
    try {
      for await (const ev of o.store.watch({ prefix: o.prefix, afterRevision: after, signal: ac.signal })) {
        if (ev.type === 'progress') {
          if (req.allowBookmarks) yield { type: 'BOOKMARK', object: bookmark(o, ev.revision) };
          continue;
        }
        const out = await toWatchEvent(o, ev.type, ev.kv, ev.prev);
        if (out) yield out;
      }
    } catch (err) {
      if (err instanceof CompactedError) {
        yield errorEvent(newGone(`too old resource version: ${err.requested} (${err.compacted})`));
        return;
      }
      // A watcher that fell behind is ended; the client watches again from its last revision.
      if (err instanceof WatcherTooSlowError) return;
      if (ac.signal.aborted) return;
      throw err;
    }
  } finally {
    if (timer) clearTimeout(timer);
    o.signal.removeEventListener('abort', onAbort);
  }
}

async function toWatchEvent(o: WatchResourceOptions, type: 'put' | 'delete', kv: KeyValue, prev?: KeyValue): Promise<SourcedWatchEvent | undefined> {
  const pred = o.request.predicate;
  if (type === 'delete') {
    const last = prev ?? kv;
    const obj = await o.decode(structuredClone(decodeShared(last)));
    obj.metadata.resourceVersion = String(kv.modRevision);
    if (pred && !pred(obj)) return undefined;
    return { type: 'DELETED', object: obj };
  }
  const obj = await o.decode(decodeShared(kv));
  if (!pred) return { type: prev ? 'MODIFIED' : 'ADDED', object: obj, source: kv };
  const now = pred(obj);
  const before = prev ? pred(await o.decode(structuredClone(decodeShared(prev)))) : false;
  if (now && before) return { type: 'MODIFIED', object: obj, source: kv };
  if (now) return { type: 'ADDED', object: obj, source: kv };
  if (before) return { type: 'DELETED', object: obj, source: kv };
  return undefined;
}

function bookmark(o: WatchResourceOptions, revision: number, annotations?: Record<string, string>): KubeObject {
  const metadata: KubeObject['metadata'] = { resourceVersion: String(revision) };
  if (annotations) metadata.annotations = annotations;
  return { apiVersion: o.apiVersion, kind: o.kind, metadata };
}

function errorEvent(err: StatusError): SourcedWatchEvent {
  return { type: 'ERROR', object: err.toStatus() as unknown as KubeObject };
}
