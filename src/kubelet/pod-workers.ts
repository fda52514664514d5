// SPDX-License-Identifier: Apache-2.0
/**
 * PodWorkers serialise work per pod, as upstream pkg/kubelet/pod_workers.go:
 * at most one sync of a pod runs at a time, triggers that arrive meanwhile
 * collapse into one more sync with the newest pod object, and a sync can ask
 * to be run again after a delay (back-off expiry, retries). Pods removed
 * from the API get one final "terminate" sync, unless the kubelet's own
 * sync already terminated the pod and deleted its object.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { deepEqual } from '../api/index.js';
import type { SyncResult } from './pod-sync.js';

interface Worker {
  pod: Pod;
  removed: boolean;
  /** terminated: the last sync stopped and removed everything of the pod and deleted its object (nothing left for `removed`). */
  terminated: boolean;
  busy: boolean;
  again: boolean;
  timer?: NodeJS.Timeout;
  timerAt: number;
}

/** SyncFunctions are what a worker runs. */
export interface SyncFunctions {
  sync(pod: Pod): Promise<SyncResult>;
  /** removed runs once for a pod that disappeared from the API without the kubelet deleting it. */
  removed(pod: Pod): Promise<void>;
  log(msg: string): void;
}

const ERROR_RETRY_MS = 2000;

// sameDesiredState compares two versions of a pod without status, resourceVersion and managedFields.
function sameDesiredState(a: Pod, b: Pod): boolean {
  const strip = (p: Pod) => ({ ...p, status: undefined, metadata: { ...p.metadata, resourceVersion: undefined, managedFields: undefined } });
  return deepEqual(strip(a), strip(b));
}

/** PodWorkers owns one worker per pod uid. */
export class PodWorkers {
  readonly #fns: SyncFunctions;
  readonly #workers = new Map<string, Worker>();
  #stopped = false;

  constructor(fns: SyncFunctions) {
    this.#fns = fns;
  }

  /** uids lists pods with a worker. */
  uids(): string[] {
    return [...this.#workers.keys()];
  }

  /** pod returns the newest known object of a pod. */
  pod(uid: string): Pod | undefined {
    return this.#workers.get(uid)?.pod;
  }

  /** update records the newest pod object and syncs it. */
  update(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const w = this.#workers.get(uid);
    if (w) {
      if (w.removed) return;
      const unchanged = sameDesiredState(w.pod, pod);
      w.pod = pod;
      // Our own status writes come back as updates; they change nothing the sync acts on (the relist and resync cover the runtime).
      if (unchanged) return;
    } else this.#workers.set(uid, { pod, removed: false, terminated: false, busy: false, again: false, timerAt: 0 });
    this.trigger(uid);
  }

  /** remove marks a pod as gone from the API and runs its final sync. */
  remove(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const w = this.#workers.get(uid);
    if (!w) return;
    w.removed = true;
    if (w.terminated && !w.busy) {
      this.#forget(uid, w);
      return;
    }
    this.trigger(uid);
  }

  /** trigger syncs a pod now, or after delayMs (an earlier pending trigger wins). */
  trigger(uid: string, delayMs = 0): void {
    const w = this.#workers.get(uid);
    if (!w || this.#stopped) return;
    if (delayMs > 0) {
      const at = Date.now() + delayMs;
      if (w.timer && w.timerAt <= at) return;
      if (w.timer) clearTimeout(w.timer);
      w.timerAt = at;
      w.timer = setTimeout(() => {
        w.timer = undefined;
        this.trigger(uid);
      }, delayMs);
      return;
    }
    if (w.busy) {
      w.again = true;
      return;
    }
    void this.#run(uid, w);
  }

  /** triggerAll syncs every pod (periodic resync). */
  triggerAll(): void {
    for (const uid of this.#workers.keys()) this.trigger(uid);
  }

  /** stop ends all workers after their current sync. */
  stop(): void {
    this.#stopped = true;
    for (const w of this.#workers.values()) if (w.timer) clearTimeout(w.timer);
  }

  #forget(uid: string, w: Worker): void {
    this.#workers.delete(uid);
    if (w.timer) clearTimeout(w.timer);
  }

  async #run(uid: string, w: Worker): Promise<void> {
    w.busy = true;
    do {
      w.again = false;
      if (this.#stopped) break;
      if (w.removed) {
        if (!w.terminated) await this.#fns.removed(w.pod).catch((err) => this.#fns.log(`kubelet: removing pod ${uid}: ${(err as Error).message}`));
        this.#forget(uid, w);
        return;
      }
      let result: SyncResult = {};
      try {
        result = await this.#fns.sync(w.pod);
      } catch (err) {
        this.#fns.log(`kubelet: syncing pod ${w.pod.metadata?.namespace}/${w.pod.metadata?.name}: ${(err as Error).stack ?? err}`);
        result = { retryInMs: ERROR_RETRY_MS };
      }
      if (result.deleted) {
        // The pod object is being deleted; the DELETED event removes the worker, and nothing may restart the pod meanwhile.
        w.removed = true;
        w.terminated = true;
        w.again = false;
        break;
      }
      if (result.retryInMs !== undefined) {
        w.busy = false;
        this.trigger(uid, Math.max(1, result.retryInMs));
        w.busy = true;
      }
    } while (w.again);
    w.busy = false;
  }
}
