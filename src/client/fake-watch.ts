// SPDX-License-Identifier: Apache-2.0
/**
 * FakeWatches fans the fake client's changes out to its watchers, filtered
 * by namespace and selectors as the API server's watch cache filters them;
 * each watcher gets its own copy of every object.
 */
import { deepClone, type KubeObject, type WatchEvent } from '../api/index.js';
import type { ResourceInfo } from '../api/index.js';
import { buildPredicate } from '../machinery/index.js';
import type { WatchOptions } from './client.js';

type Listener = (ev: WatchEvent) => void;

/** FakeWatches holds the watchers of every resource. */
export class FakeWatches {
  readonly #listeners = new Map<string, Set<Listener>>();

  /** watch streams a resource's changes from now on, until opts.signal aborts. */
  watch<T extends KubeObject = KubeObject>(info: ResourceInfo, opts: WatchOptions): AsyncIterable<WatchEvent<T>> {
    const pred = buildPredicate(info, opts.labelSelector, opts.fieldSelector);
    const listeners = this.#listenersOf(info);
    const queue: WatchEvent<T>[] = [];
    let wake: (() => void) | undefined;
    const listener: Listener = (ev) => {
      if (opts.namespace && ev.object.metadata.namespace !== opts.namespace) return;
      if (pred && !pred(ev.object)) return;
      queue.push(ev as WatchEvent<T>);
      wake?.();
    };
    const signal = opts.signal;
    return {
      async *[Symbol.asyncIterator]() {
        listeners.add(listener);
        const onAbort = (): void => wake?.();
        signal?.addEventListener('abort', onAbort);
        try {
          while (!signal?.aborted) {
            const ev = queue.shift();
            if (ev) {
              yield ev;
              continue;
            }
            await new Promise<void>((r) => (wake = r));
            wake = undefined;
          }
        } finally {
          listeners.delete(listener);
          signal?.removeEventListener('abort', onAbort);
        }
      },
    };
  }

  /** emit tells a resource's watchers about a change. */
  emit(info: ResourceInfo, type: 'ADDED' | 'MODIFIED' | 'DELETED', o: KubeObject): void {
    for (const l of this.#listenersOf(info)) l({ type, object: deepClone(o) });
  }

  #listenersOf(info: ResourceInfo): Set<Listener> {
    const id = `${info.storage.group}/${info.storage.resource}`;
    let s = this.#listeners.get(id);
    if (!s) this.#listeners.set(id, (s = new Set()));
    return s;
  }
}
