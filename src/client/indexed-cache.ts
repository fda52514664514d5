// SPDX-License-Identifier: Apache-2.0
/**
 * IndexedCache is an informer's local store: objects by key plus named
 * indexes over them, as client-go's threadSafeStore with its Indexers
 * (k8s.io/client-go/tools/cache/thread_safe_store.go). It only stores; the
 * informer decides what goes in and tells its handlers.
 */
import type { KubeObject } from '../api/index.js';

/** Indexer maps an object to the index values under which it is found (e.g. a pod to its node name). */
export type Indexer<T> = (obj: T) => string[];

/** NAMESPACE_INDEX is the index every informer keeps: objects by metadata.namespace. */
export const NAMESPACE_INDEX = 'namespace';

/** keyOf is the cache key of an object: `namespace/name`, or `name` for cluster-scoped objects. */
export function keyOf(obj: { metadata: { namespace?: string; name?: string } }): string {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name}` : `${obj.metadata.name}`;
}

/** splitKey undoes keyOf. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** IndexedCache holds objects by key and keeps every index in step with them. */
export class IndexedCache<T extends KubeObject> {
  readonly #items = new Map<string, T>();
  readonly #indexers = new Map<string, Indexer<T>>();
  /** indices: index name → value → keys. */
  readonly #indices = new Map<string, Map<string, Set<string>>>();
  readonly #onIndexError: (err: Error) => void;

  /** onIndexError hears of an indexer that threw (the object is then missing from that index only). */
  constructor(onIndexError: (err: Error) => void) {
    this.#onIndexError = onIndexError;
  }

  /** addIndexer registers a named index; objects already cached are indexed at once. */
  addIndexer(name: string, fn: Indexer<T>): void {
    if (this.#indexers.has(name)) return;
    this.#indexers.set(name, fn);
    this.#indices.set(name, new Map());
    for (const [key, obj] of this.#items) this.#indexOne(name, fn, key, obj);
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  /** values iterates the cached objects; entries iterates them with their keys. */
  values(): IterableIterator<T> {
    return this.#items.values();
  }

  entries(): IterableIterator<[string, T]> {
    return this.#items.entries();
  }

  /** byIndex returns the objects whose indexer yielded `value`; undefined when no such index exists. */
  byIndex(indexName: string, value: string): T[] | undefined {
    const index = this.#indices.get(indexName);
    if (!index) return undefined;
    const keys = index.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) {
      const o = this.#items.get(k);
      if (o) out.push(o);
    }
    return out;
  }

  /** set stores obj under key, re-indexing it, and returns what it replaced. */
  set(key: string, obj: T): T | undefined {
    const old = this.#items.get(key);
    this.replace(key, obj, old);
    return old;
  }

  /**
   * replace stores obj under key when the caller has just read what is there
   * (`old`, undefined when nothing). An index whose values did not change
   * (an update within one namespace, on one node) is left as it is.
   */
  replace(key: string, obj: T, old: T | undefined): void {
    this.#items.set(key, obj);
    const index = this.#indices;
    for (const [name, fn] of this.#indexers) {
      const values = this.#safeIndex(fn, obj);
      if (old) {
        const before = this.#safeIndex(fn, old);
        if (sameValues(before, values)) continue;
        this.#unindex(index.get(name)!, key, before);
      }
      this.#index(index.get(name)!, key, values);
    }
  }

  /** delete drops the object at key from the store and every index. */
  delete(key: string, old: T): void {
    this.#items.delete(key);
    for (const [name, fn] of this.#indexers) this.#unindexOne(name, fn, key, old);
  }

  #indexOne(name: string, fn: Indexer<T>, key: string, obj: T): void {
    this.#index(this.#indices.get(name)!, key, this.#safeIndex(fn, obj));
  }

  #unindexOne(name: string, fn: Indexer<T>, key: string, obj: T): void {
    this.#unindex(this.#indices.get(name)!, key, this.#safeIndex(fn, obj));
  }

  #index(index: Map<string, Set<string>>, key: string, values: string[]): void {
    for (const v of values) {
      let keys = index.get(v);
      if (!keys) index.set(v, (keys = new Set()));
      keys.add(key);
    }
  }

  #unindex(index: Map<string, Set<string>>, key: string, values: string[]): void {
    for (const v of values) {
      const keys = index.get(v);
      keys?.delete(key);
      if (keys?.size === 0) index.delete(v);
    }
  }

  #safeIndex(fn: Indexer<T>, obj: T): string[] {
    try {
      return fn(obj);
    } catch (err) {
      this.#onIndexError(err as Error);
      return [];
    }
  }
}

/** sameValues says two indexer results hold the same values in the same order. */
function sameValues(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
