// SPDX-License-Identifier: Apache-2.0
/**
 * WatchedObjects keeps the ConfigMaps (or Secrets) the node's pods reference
 * in step with the API server through one watch per object, as upstream's
 * watch-based manager (pkg/kubelet/util/manager/watch_based_manager.go, the
 * kubelet's default `configMapAndSecretChangeDetectionStrategy: Watch`):
 * the first pod that references an object starts a list/watch of it alone
 * (its namespace, fieldSelector `metadata.name=<name>`, which the node
 * authorizer allows for a referenced object), further pods only count, and
 * the watch stops when the last referencing pod is unregistered. Reads come
 * from the cache: a read before the first list waits up to a second for it,
 * an object the list did not find is upstream's NotFound, an immutable object
 * stops being watched once read (it cannot change), and a watch whose object
 * has not been read for maxIdleMs (an env-only reference, read at container
 * start) is stopped and restarted by the next read.
 */
import type { KubeObject } from '../api/index.js';
import { SharedInformer, systemClock, type Client, type Clock, type ResourceRef } from '../client/index.js';
import { newNotFound } from '../machinery/index.js';

/** WatchedObjectsOptions configure one resource's watches. */
export interface WatchedObjectsOptions {
  /** resource is upstream's group resource name in messages: "configmap" or "secret". */
  resource: string;
  /** changed is told which pods reference an object whose watch saw it change (not the first list). */
  changed?: (podUIDs: string[], namespace: string, name: string) => void;
  /** syncTimeoutMs bounds how long a read waits for the first list (upstream: 1 s). */
  syncTimeoutMs?: number;
  /** maxIdleMs stops a watch whose object was not read for this long (upstream: 5 × the sync period, at least 1 min). */
  maxIdleMs?: number;
  clock?: Clock;
  log?: (msg: string) => void;
}

interface Item<T extends KubeObject> {
  namespace: string;
  name: string;
  /** refs counts references per pod uid (upstream's refMap): a pod registered twice is still one referrer. */
  refs: Map<string, number>;
  informer: SharedInformer<T>;
  /** abort stops the running watch; undefined while stopped. */
  abort?: AbortController;
  immutable: boolean;
  lastAccess: number;
}

const SYNC_TIMEOUT_MS = 1000;
const MIN_IDLE_MS = 60_000;

/** WatchedObjects is the reference-counted, watch-fed cache of one resource's objects. */
export class WatchedObjects<T extends KubeObject = KubeObject> {
  readonly #client: Client;
  readonly #ref: ResourceRef;
  readonly #o: WatchedObjectsOptions;
  readonly #clock: Clock;
  readonly #items = new Map<string, Item<T>>();
  #idleTimer: unknown;
  #closed = false;

  constructor(client: Client, ref: ResourceRef, opts: WatchedObjectsOptions) {
    this.#client = client;
    this.#ref = ref;
    this.#o = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#idleTimer = this.#scheduleIdleSweep();
  }

  /** addReference records that pod podUID references namespace/name; the first reference starts its watch. */
  addReference(namespace: string, name: string, podUID: string): void {
    if (this.#closed) return;
    const key = `${namespace}/${name}`;
    let item = this.#items.get(key);
    if (!item) {
      item = { namespace, name, refs: new Map(), informer: this.#informer(namespace, name), immutable: false, lastAccess: this.#clock.now() };
      this.#items.set(key, item);
      this.#start(item);
    }
    item.refs.set(podUID, (item.refs.get(podUID) ?? 0) + 1);
  }

  /** deleteReference drops one reference of pod podUID; when no pod references the object any more its watch stops. */
  deleteReference(namespace: string, name: string, podUID: string): void {
    const key = `${namespace}/${name}`;
    const item = this.#items.get(key);
    if (!item) return;
    const n = (item.refs.get(podUID) ?? 0) - 1;
    if (n > 0) item.refs.set(podUID, n);
    else item.refs.delete(podUID);
    if (item.refs.size === 0) {
      item.abort?.abort();
      this.#items.delete(key);
    }
  }

  /** watching lists the objects with a running watch, as `namespace/name` (tests, metrics). */
  watching(): string[] {
    return [...this.#items].filter(([, i]) => i.abort).map(([k]) => k);
  }

  /**
   * get reads an object from the cache. It rejects with upstream's errors:
   * `object "<ns>"/"<name>" not registered` when no pod references it,
   * `failed to sync <resource> cache: timed out waiting for the condition`
   * when the first list does not finish within the timeout, and the
   * resource's NotFound when the object does not exist.
   */
  async get(namespace: string, name: string): Promise<T> {
    const key = `${namespace}/${name}`;
    const item = this.#items.get(key);
    if (!item) throw new Error(`object "${namespace}"/"${name}" not registered`);
    // The access time is recorded whether or not the read succeeds, so a watch is never recycled under a reader (as upstream).
    item.lastAccess = this.#clock.now();
    if (!item.abort && !item.immutable && !this.#closed) {
      item.informer = this.#informer(namespace, name);
      this.#start(item);
    }
    if (!item.informer.hasSynced() && !(await this.#waitForSync(item.informer))) {
      throw new Error(`failed to sync ${this.#o.resource} cache: timed out waiting for the condition`);
    }
    const obj = item.informer.get(key);
    if (!obj) throw newNotFound({ group: this.#ref.group, resource: this.#o.resource }, name);
    if ((obj as { immutable?: boolean }).immutable === true && !item.immutable) {
      // An immutable object cannot change: its cached copy stays and its watch stops (upstream stops the reflector here too).
      item.immutable = true;
      item.abort?.abort();
      item.abort = undefined;
    }
    return obj;
  }

  /** close stops every watch; reads after it still see what the caches hold. */
  close(): void {
    this.#closed = true;
    this.#clock.clearTimeout(this.#idleTimer);
    for (const item of this.#items.values()) {
      item.abort?.abort();
      item.abort = undefined;
    }
  }

  #informer(namespace: string, name: string): SharedInformer<T> {
    return new SharedInformer<T>(this.#client, this.#ref, {
      namespace, fieldSelector: `metadata.name=${name}`, clock: this.#o.clock, log: this.#o.log,
    });
  }

  #start(item: Item<T>): void {
    const abort = new AbortController();
    item.abort = abort;
    const informer = item.informer;
    // Events before the first list completes are the object's initial state, not a change; later ones are.
    const changed = (): void => {
      if (!informer.hasSynced() || abort.signal.aborted) return;
      this.#o.changed?.([...item.refs.keys()], item.namespace, item.name);
    };
    informer.addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
    void informer.run(abort.signal);
  }

  #waitForSync(informer: SharedInformer<T>): Promise<boolean> {
    const abort = new AbortController();
    const timer = this.#clock.setTimeout(() => abort.abort(), this.#o.syncTimeoutMs ?? SYNC_TIMEOUT_MS);
    return informer.waitForSync(abort.signal).finally(() => this.#clock.clearTimeout(timer));
  }

  // Upstream checks every minute for watches idle longer than maxIdleTime; one not yet synced is left alone (its list is under way).
  #scheduleIdleSweep(): unknown {
    const maxIdle = Math.max(MIN_IDLE_MS, this.#o.maxIdleMs ?? 5 * 60_000);
    return this.#clock.setTimeout(() => {
      if (this.#closed) return;
      const now = this.#clock.now();
      for (const item of this.#items.values()) {
        if (item.abort && item.informer.hasSynced() && now - item.lastAccess > maxIdle) {
          item.abort.abort();
          item.abort = undefined;
        }
      }
      this.#idleTimer = this.#scheduleIdleSweep();
    }, MIN_IDLE_MS);
  }
}
