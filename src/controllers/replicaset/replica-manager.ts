// SPDX-License-Identifier: Apache-2.0
/**
 * Creating and deleting a ReplicaSet's pods to reach spec.replicas, after
 * upstream replica_set.go manageReplicas: at most BURST_REPLICAS per sync,
 * creations in slow-start batches, deletions of the least valuable pods
 * first, each counted in the controller's expectations.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { deepClone, type KubeObject } from '../../api/index.js';
import { R, keyOf, type Client, type EventRecorder } from '../../client/index.js';
import { isNotFound } from '../../machinery/index.js';
import { newControllerRef } from '../controller-ref.js';
import type { ControllerExpectations } from '../expectations.js';
import { podsToDelete } from './pod-ranking.js';
import type { ReplicaSetKind } from './replicaset-kind.js';

/** BURST_REPLICAS caps creations or deletions per sync, as upstream's BurstReplicas. */
export const BURST_REPLICAS = 500;

/** Event reasons, as upstream. */
export const SuccessfulCreate = 'SuccessfulCreate';
export const FailedCreate = 'FailedCreate';
export const SuccessfulDelete = 'SuccessfulDelete';
export const FailedDelete = 'FailedDelete';

/** ReplicaSetSpec is the part of a ReplicaSet's (or RC's) spec the controller reads. */
export interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] }; spec?: unknown };
}

/** ReplicaManager makes one object's pod count match its spec. */
export class ReplicaManager {
  readonly #client: Client;
  readonly #recorder: EventRecorder;
  readonly #kind: ReplicaSetKind;
  readonly #expectations: ControllerExpectations;

  constructor(client: Client, recorder: EventRecorder, kind: ReplicaSetKind, expectations: ControllerExpectations) {
    this.#client = client;
    this.#recorder = recorder;
    this.#kind = kind;
    this.#expectations = expectations;
  }

  /** manage creates or deletes pods to reach spec.replicas, at most BURST_REPLICAS at a time. */
  async manage(key: string, set: KubeObject, pods: (Pod & KubeObject)[]): Promise<void> {
    const want = ((set.spec ?? {}) as ReplicaSetSpec).replicas ?? 1;
    const diff = pods.length - want;
    if (diff < 0) await this.#createPods(key, set, Math.min(-diff, BURST_REPLICAS));
    else if (diff > 0) await this.#deletePods(key, set, pods, Math.min(diff, BURST_REPLICAS));
  }

  /**
   * createPods creates in batches of 1, 2, 4, ... (upstream slowStartBatch):
   * when creation fails (quota, admission), it fails fast instead of
   * sending hundreds of doomed requests.
   */
  async #createPods(key: string, set: KubeObject, count: number): Promise<void> {
    this.#expectations.expectCreations(key, count);
    let remaining = count;
    let batch = 1;
    while (remaining > 0) {
      const n = Math.min(batch, remaining);
      const results = await Promise.allSettled(Array.from({ length: n }, () => this.#createPod(set)));
      const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      remaining -= n;
      if (failed.length > 0) {
        // The creations that failed or were never attempted will not be observed.
        for (let i = 0; i < failed.length + remaining; i++) this.#expectations.creationObserved(key);
        throw failed[0].reason;
      }
      batch *= 2;
    }
  }

  async #createPod(set: KubeObject): Promise<void> {
    const pod = this.#podFromTemplate(set);
    try {
      const created = await this.#client.create(R.pods, pod, { namespace: set.metadata.namespace });
      void this.#recorder.event(set, 'Normal', SuccessfulCreate, `Created pod: ${created.metadata.name}`);
    } catch (err) {
      void this.#recorder.event(set, 'Warning', FailedCreate, `Error creating: ${(err as Error).message}`);
      throw err;
    }
  }

  #podFromTemplate(set: KubeObject): KubeObject {
    const tpl = ((set.spec ?? {}) as ReplicaSetSpec).template ?? {};
    const meta = tpl.metadata ?? {};
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${set.metadata.name}-`,
        namespace: set.metadata.namespace,
        labels: { ...(meta.labels ?? {}) },
        ownerReferences: [newControllerRef(set, this.#kind.apiVersion, this.#kind.kind)],
      },
      spec: deepClone(tpl.spec ?? {}),
    };
    if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
    if (meta.finalizers) pod.metadata.finalizers = [...meta.finalizers];
    return pod;
  }

  async #deletePods(key: string, set: KubeObject, pods: (Pod & KubeObject)[], count: number): Promise<void> {
    const victims = podsToDelete(pods, pods, count);
    this.#expectations.expectDeletions(key, victims.map((p) => keyOf(p)));
    const results = await Promise.allSettled(victims.map((p) => this.#deletePod(key, set, p)));
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failed) throw failed.reason;
  }

  async #deletePod(key: string, set: KubeObject, pod: KubeObject): Promise<void> {
    try {
      await this.#client.delete(R.pods, pod.metadata.name!, { namespace: pod.metadata.namespace, preconditions: { uid: pod.metadata.uid } });
      void this.#recorder.event(set, 'Normal', SuccessfulDelete, `Deleted pod: ${pod.metadata.name}`);
    } catch (err) {
      this.#expectations.deletionObserved(key, keyOf(pod));
      if (isNotFound(err)) return;
      void this.#recorder.event(set, 'Warning', FailedDelete, `Error deleting: ${(err as Error).message}`);
      throw err;
    }
  }
}
