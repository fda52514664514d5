// SPDX-License-Identifier: Apache-2.0
/** The shared informer factory, as client-go's SharedInformerFactory. */
import type { KubeObject } from '../api/index.js';
import type { Client, ResourceRef } from './client.js';
import { SharedInformer, type InformerOptions } from './informer.js';
import type { Clock } from './workqueue.js';

/**
 * InformerFactory hands out one shared informer per (resource, namespace,
 * selectors), so several controllers watching pods share one watch and one
 * cache. Informers asked for after `start` are started at once.
 */
export class InformerFactory {
  readonly #client: Client;
  readonly #opts: { log?: (msg: string) => void; clock?: Clock; resyncMs?: number };
  readonly #informers = new Map<string, SharedInformer<KubeObject>>();
  #signal?: AbortSignal;
  #runs: Promise<void>[] = [];

  constructor(client: Client, opts: { log?: (msg: string) => void; clock?: Clock; resyncMs?: number } = {}) {
    this.#client = client;
    this.#opts = opts;
  }

  /** informer returns the shared informer for a resource, creating it on first use. */
  informer<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: Pick<InformerOptions, 'namespace' | 'labelSelector' | 'fieldSelector'> = {}): SharedInformer<T> {
    const id = [ref.group, ref.version, ref.resource, opts.namespace ?? '', opts.labelSelector ?? '', opts.fieldSelector ?? ''].join('|');
    let inf = this.#informers.get(id);
    if (!inf) {
      inf = new SharedInformer<KubeObject>(this.#client, ref, { ...opts, log: this.#opts.log, clock: this.#opts.clock, resyncMs: this.#opts.resyncMs });
      this.#informers.set(id, inf);
      if (this.#signal) this.#runs.push(inf.run(this.#signal));
    }
    return inf as unknown as SharedInformer<T>;
  }

  /** start runs every informer made so far (and every later one) until the signal aborts. */
  start(signal: AbortSignal): void {
    this.#signal = signal;
    for (const inf of this.#informers.values()) this.#runs.push(inf.run(signal));
  }

  /** waitForSync resolves true once every informer has synced, false if the signal aborts first. */
  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.#informers.values()].map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  /** stopped resolves when every informer's run loop has returned (after the start signal aborted). */
  async stopped(): Promise<void> {
    await Promise.all(this.#runs);
  }
}
