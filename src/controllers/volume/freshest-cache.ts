// SPDX-License-Identifier: Apache-2.0
/**
 * FreshestCache remembers the objects a controller just wrote until its
 * informer delivers them (or something newer), so the next step does not
 * decide from the stale cached copy and lose a round trip to a 409. It is
 * a small cousin of upstream's assume cache (pkg/scheduler/util/assumecache).
 */
import type { KubeObject } from '../../api/index.js';

/** FreshestCache maps keys to our last written version. */
export class FreshestCache {
  readonly #written = new Map<string, KubeObject>();

  /** remember records an object we wrote. */
  remember(key: string, obj: KubeObject): void {
    this.#written.set(key, obj);
  }

  /** forget drops a key (the object was deleted). */
  forget(key: string): void {
    this.#written.delete(key);
  }

  /** pick returns whichever of the cached and the written copy is newer; a cached copy at or past ours retires ours. */
  pick<T extends KubeObject>(key: string, cached: T | undefined): T | undefined {
    const mine = this.#written.get(key) as T | undefined;
    if (!mine) return cached;
    if (!cached) return mine;
    if (revision(cached) >= revision(mine)) {
      this.#written.delete(key);
      return cached;
    }
    return mine;
  }
}

function revision(o: KubeObject): number {
  return Number(o.metadata.resourceVersion ?? 0) || 0;
}
