// SPDX-License-Identifier: Apache-2.0
/**
 * PodSimulator plays the kubelet for pods bound to simulated nodes:
 * writes their Running (then Ready, then maybe Succeeded) status, and
 * finishes graceful deletions by marking containers terminated and
 * deleting the pod with grace period 0, as the kubelet does. It is
 * level-triggered: sync(key) reads the pod from the informer cache and
 * writes whatever differs from the desired status.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { deepEqual, type KubeObject } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import { splitKey, type SharedInformer } from '../client/index.js';
import { WorkQueue, type Clock } from '../client/index.js';
import { isConflict, isNotFound } from '../machinery/index.js';
import { desiredPodStatus, terminatedStatus } from './pod-status.js';

/** PodHost is what the pod simulator needs to know about a simulated node. */
export interface PodHost {
  hostIP: string;
  /** podIP returns the address of a pod on this node (stable per pod key). */
  podIP(key: string): string;
  release(key: string): void;
  /** running is false for stopped nodes: a dead kubelet writes nothing. */
  running: boolean;
}

/** PodSimulatorOptions configures a PodSimulator. */
export interface PodSimulatorOptions {
  pods: SharedInformer<KubeObject & Pod>;
  hostOf(nodeName: string): PodHost | undefined;
  clock: Clock;
  workers?: number;
  log?: (msg: string) => void;
}

/** PodSimulator runs the pods of simulated nodes. */
export class PodSimulator {
  readonly queue: WorkQueue;
  readonly #client: Client;
  readonly #opts: PodSimulatorOptions;

  constructor(client: Client, opts: PodSimulatorOptions) {
    this.#client = client;
    this.#opts = opts;
    this.queue = new WorkQueue({ clock: opts.clock, baseDelayMs: 50, maxDelayMs: 10_000 });
    opts.pods.addEventHandler({
      onAdd: (p) => this.#enqueue(p),
      onUpdate: (_o, p) => this.#enqueue(p),
      onDelete: (p) => {
        const host = p.spec?.nodeName ? opts.hostOf(p.spec.nodeName) : undefined;
        host?.release(`${p.metadata.namespace}/${p.metadata.name}`);
      },
    });
  }

  /** enqueueNode queues every pod of a node (it was just adopted or came back). */
  enqueueNode(nodeName: string): void {
    for (const p of this.#opts.pods.byIndex('nodeName', nodeName)) this.queue.add(`${p.metadata.namespace}/${p.metadata.name}`);
  }

  #enqueue(p: Pod): void {
    if (p.spec?.nodeName && this.#opts.hostOf(p.spec.nodeName)) this.queue.add(`${p.metadata?.namespace}/${p.metadata?.name}`);
  }

  /** run starts the workers; it resolves when the queue shuts down. */
  async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    const workers = Array.from({ length: this.#opts.workers ?? 8 }, () => this.#worker());
    await Promise.all(workers);
  }

  async #worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.sync(key);
        this.queue.forget(key);
      } catch (err) {
        if (!isConflict(err)) this.#opts.log?.(`kwok: pod ${key}: ${(err as Error).message}`);
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  /** sync moves one pod one step toward what its simulated kubelet would report. */
  async sync(key: string): Promise<void> {
    const pod = this.#opts.pods.get(key);
    const host = pod?.spec?.nodeName ? this.#opts.hostOf(pod.spec.nodeName) : undefined;
    if (!pod || !host || !host.running) return;
    const { namespace, name } = splitKey(key);
    if (pod.metadata.deletionTimestamp) return this.#finishDeletion(pod, namespace, name);
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    const now = this.#opts.clock.now();
    const { status, nextChangeAt } = desiredPodStatus(pod, { hostIP: host.hostIP, podIP: host.podIP(key) }, now);
    if (!deepEqual(status, pod.status)) {
      await this.#client.patch(R.pods, name, 'merge', { metadata: { resourceVersion: pod.metadata.resourceVersion }, status }, { namespace, subresource: 'status' });
    }
    if (nextChangeAt !== undefined) this.queue.addAfter(key, Math.max(0, nextChangeAt - now));
  }

  async #finishDeletion(pod: KubeObject & Pod, namespace: string, name: string): Promise<void> {
    try {
      const running = (pod.status?.containerStatuses ?? []).some((c) => c.state?.running);
      if (running) {
        await this.#client.patch(R.pods, name, 'merge', { status: terminatedStatus(pod, this.#opts.clock.now()) }, { namespace, subresource: 'status' });
      }
      await this.#client.delete(R.pods, name, { namespace, gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
