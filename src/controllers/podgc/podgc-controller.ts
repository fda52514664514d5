// SPDX-License-Identifier: Apache-2.0
/**
 * The pod garbage collector (upstream pkg/controller/podgc): pods bound to
 * a Node that no longer exists (`kubectl delete node`), once the node has
 * been missing for the quarantine period and a read of the API confirms it,
 * are marked Failed with a DisruptionTarget condition (DeletionByPodGC,
 * "PodGC: node no longer exists") and deleted at once, so their controllers
 * replace them; terminating pods that were never scheduled are deleted at
 * once; and past the terminated-pod threshold the oldest finished pods go,
 * evicted ones first. Keys: `node/<name>`, `unscheduled/<ns>/<name>` and
 * `terminated`.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/index.js';
import { R, keyOf, Reconciler, systemClock, type Client, type Clock, type InformerFactory, type SharedInformer } from '../../client/index.js';
import { isNotFound, compareStrings, rfc3339 } from '../../machinery/index.js';

type PodObj = KubeObject & Pod;

/** Upstream's defaults: --terminated-pod-gc-threshold 12500, a 40 s quarantine for missing nodes. */
export const DEFAULT_TERMINATED_POD_THRESHOLD = 12500;
export const DEFAULT_QUARANTINE_MS = 40_000;

export interface PodGCControllerOptions {
  client: Client;
  factory: InformerFactory;
  clock?: Clock;
  log?: (msg: string) => void;
  terminatedPodThreshold?: number;
  quarantineMs?: number;
}

const ORPHAN_CONDITION = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' };

const isTerminated = (p: PodObj) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const isEvicted = (p: PodObj) => p.status?.phase === 'Failed' && p.status?.reason === 'Evicted';

export class PodGCController extends Reconciler {
  readonly #client: Client;
  readonly #clock: Clock;
  readonly #log: (msg: string) => void;
  readonly #pods: SharedInformer<PodObj>;
  readonly #nodes: SharedInformer<KubeObject>;
  readonly #threshold: number;
  readonly #quarantineMs: number;
  /** When each missing node was first seen missing: the quarantine runs from there. */
  readonly #missingSince = new Map<string, number>();

  constructor(o: PodGCControllerOptions) {
    super({ name: 'pod-garbage-collector', clock: o.clock, log: o.log, maxRetries: 15 });
    this.#client = o.client;
    this.#clock = o.clock ?? systemClock;
    this.#log = o.log ?? (() => {});
    this.#threshold = o.terminatedPodThreshold ?? DEFAULT_TERMINATED_POD_THRESHOLD;
    this.#quarantineMs = o.quarantineMs ?? DEFAULT_QUARANTINE_MS;
    this.#pods = o.factory.informer<PodObj>(R.pods);
    this.#nodes = o.factory.informer(R.nodes);
    this.#pods.addEventHandler({ onAdd: (p) => this.#look(p), onUpdate: (_old, p) => this.#look(p) });
    this.#nodes.addEventHandler({
      onDelete: (n) => this.enqueue(`node/${n.metadata.name}`),
      onAdd: (n) => this.#missingSince.delete(n.metadata.name ?? ''),
    });
  }

  #look(p: PodObj): void {
    const node = p.spec?.nodeName;
    if (node && !this.#nodes.get(node)) this.enqueue(`node/${node}`);
    if (p.metadata.deletionTimestamp && !node) this.enqueue(`unscheduled/${keyOf(p)}`);
    if (isTerminated(p) && this.#threshold > 0) this.enqueue('terminated');
  }

  async sync(key: string): Promise<void> {
    if (key === 'terminated') return this.#gcTerminated();
    const [kind, ...rest] = key.split('/');
    if (kind === 'node') return this.#gcOrphaned(rest.join('/'));
    if (kind === 'unscheduled') return this.#gcUnscheduledTerminating(rest.join('/'));
  }

  async #gcOrphaned(nodeName: string): Promise<void> {
    if (this.#nodes.get(nodeName)) {
      this.#missingSince.delete(nodeName);
      return;
    }
    const now = this.#clock.now();
    const since = this.#missingSince.get(nodeName) ?? now;
    this.#missingSince.set(nodeName, since);
    const left = since + this.#quarantineMs - now;
    if (left > 0) {
      this.queue.addAfter(`node/${nodeName}`, left);
      return;
    }
    // The cache may lag: only a read of the API that answers 404 makes the node gone (upstream's checkIfNodeExists).
    try {
      await this.#client.get(R.nodes, nodeName);
      this.#missingSince.delete(nodeName);
      return;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.#missingSince.delete(nodeName);
    for (const pod of this.#pods.list().filter((p) => p.spec?.nodeName === nodeName)) {
      this.#log(`pod-garbage-collector: found orphaned pod ${keyOf(pod)} assigned to the node ${nodeName}, deleting`);
      await this.#markFailedAndDelete(pod, ORPHAN_CONDITION);
    }
  }

  async #gcUnscheduledTerminating(podKey: string): Promise<void> {
    const pod = this.#pods.get(podKey);
    if (!pod?.metadata.deletionTimestamp || pod.spec?.nodeName) return;
    await this.#markFailedAndDelete(pod);
  }

  async #gcTerminated(): Promise<void> {
    const terminated = this.#pods.list().filter(isTerminated);
    const excess = terminated.length - this.#threshold;
    if (excess <= 0) return;
    // Evicted pods go first, then the oldest, names breaking ties (upstream's byEvictionAndCreationTimestamp).
    terminated.sort((a, b) => Number(isEvicted(b)) - Number(isEvicted(a))
      || Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? '')
      || compareStrings(a.metadata.name ?? '', b.metadata.name ?? ''));
    for (const pod of terminated.slice(0, excess)) await this.#markFailedAndDelete(pod);
  }

  /**
   * markFailedAndDelete moves a pod that is not finished to Failed first
   * (nothing else will: its kubelet is gone), then deletes it with no grace.
   */
  async #markFailedAndDelete(pod: PodObj, condition?: typeof ORPHAN_CONDITION): Promise<void> {
    const namespace = pod.metadata.namespace;
    try {
      if (!isTerminated(pod)) {
        const conditions = condition ? [{ ...condition, lastTransitionTime: rfc3339(this.#clock.now()) }] : undefined;
        await this.#client.patch(R.pods, pod.metadata.name!, 'strategic', { metadata: { uid: pod.metadata.uid }, status: { phase: 'Failed', ...(conditions ? { conditions } : {}) } }, { namespace, subresource: 'status' });
      }
      await this.#client.delete(R.pods, pod.metadata.name!, { namespace, gracePeriodSeconds: 0 });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
