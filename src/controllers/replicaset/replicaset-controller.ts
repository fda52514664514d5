// SPDX-License-Identifier: Apache-2.0
/**
 * The ReplicaSet controller (and, through the same code, the
 * ReplicationController controller), after upstream
 * pkg/controller/replicaset/replica_set.go: keep `spec.replicas` active pods
 * matching the selector, adopting orphans and releasing pods that stopped
 * matching, and report what it sees in status.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { deepClone, type KubeObject } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import type { EventRecorder } from '../../client/index.js';
import { keyOf, type InformerFactory, type SharedInformer } from '../../client/index.js';
import { systemClock, type Clock } from '../../client/index.js';
import { isNotFound } from '../../machinery/index.js';
import { labelSelectorMatches } from '../../api/index.js';
import { Reconciler } from '../../client/index.js';
import { adoptPatch, controllerRefOf, newControllerRef, releasePatch } from '../controller-ref.js';
import { ControllerExpectations } from '../expectations.js';
import { isPodActive, isPodReady } from '../pod-status.js';
import { ReplicaManager, type ReplicaSetSpec } from './replica-manager.js';
import { REPLICA_SET_KIND, type ReplicaSetKind } from './replicaset-kind.js';
import { calculateStatus, statusChanged, type ReplicaSetStatus } from './replicaset-status.js';

/** ReplicaSetControllerOptions are the dependencies of a ReplicaSetController. */
export interface ReplicaSetControllerOptions {
  client: Client;
  factory: InformerFactory;
  recorder: EventRecorder;
  kind?: ReplicaSetKind;
  clock?: Clock;
  log?: (msg: string) => void;
}

/** ReplicaSetController reconciles ReplicaSets (or ReplicationControllers) with their pods. */
export class ReplicaSetController extends Reconciler {
  readonly kind: ReplicaSetKind;
  readonly expectations: ControllerExpectations;
  readonly #client: Client;
  readonly #recorder: EventRecorder;
  readonly #clock: Clock;
  readonly #sets: SharedInformer;
  readonly #pods: SharedInformer<Pod & KubeObject>;
  readonly #replicas: ReplicaManager;

  constructor(opts: ReplicaSetControllerOptions) {
    const kind = opts.kind ?? REPLICA_SET_KIND;
    super({ name: kind.controllerName, clock: opts.clock, log: opts.log });
    this.kind = kind;
    this.#client = opts.client;
    this.#recorder = opts.recorder;
    this.#clock = opts.clock ?? systemClock;
    this.expectations = new ControllerExpectations(this.#clock);
    this.#replicas = new ReplicaManager(this.#client, this.#recorder, kind, this.expectations);
    this.#sets = opts.factory.informer(kind.ref);
    this.#pods = opts.factory.informer<Pod & KubeObject>(R.pods);
    this.#sets.addEventHandler({
      onAdd: (o) => this.enqueue(keyOf(o)),
      onUpdate: (_old, o) => this.enqueue(keyOf(o)),
      onDelete: (o) => {
        this.expectations.delete(keyOf(o));
        this.enqueue(keyOf(o));
      },
    });
    this.#pods.addEventHandler({
      onAdd: (p) => this.#podAdded(p),
      onUpdate: (old, p) => this.#podUpdated(old, p),
      onDelete: (p) => this.#podDeleted(p),
    });
  }

  /** ownerKey resolves a pod's controller reference to one of our objects' keys, checking the uid. */
  #ownerKey(pod: KubeObject): string | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== this.kind.kind) return undefined;
    const key = `${pod.metadata.namespace}/${ref.name}`;
    return this.#sets.get(key)?.metadata.uid === ref.uid ? key : undefined;
  }

  /** matchingSets are our objects in the pod's namespace whose selector matches it (orphan adoption candidates). */
  #matchingSets(pod: KubeObject): string[] {
    return this.#sets
      .listNamespace(pod.metadata.namespace ?? '')
      .filter((s) => labelSelectorMatches(this.kind.selector(s), pod.metadata.labels))
      .map((s) => keyOf(s));
  }

  #podAdded(pod: Pod & KubeObject): void {
    if (pod.metadata.deletionTimestamp) return this.#podDeleted(pod);
    const owner = this.#ownerKey(pod);
    if (owner) {
      this.expectations.creationObserved(owner);
      this.enqueue(owner);
    } else if (!controllerRefOf(pod)) {
      for (const k of this.#matchingSets(pod)) this.enqueue(k);
    }
  }

  #podUpdated(old: Pod & KubeObject, pod: Pod & KubeObject): void {
    if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) {
      // A graceful delete is the moment upstream counts the deletion as observed.
      const owner = this.#ownerKey(pod);
      if (owner) this.expectations.deletionObserved(owner, keyOf(pod));
    }
    const oldOwner = this.#ownerKey(old);
    const owner = this.#ownerKey(pod);
    if (oldOwner && oldOwner !== owner) this.enqueue(oldOwner);
    if (owner) {
      this.enqueue(owner);
      // A pod that just became ready becomes available minReadySeconds later: look again then.
      const set = this.#sets.get(owner);
      const minReady = (set?.spec as ReplicaSetSpec | undefined)?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) this.queue.addAfter(owner, minReady * 1000 + 1000);
    } else if (!controllerRefOf(pod)) {
      for (const k of this.#matchingSets(pod)) this.enqueue(k);
    }
  }

  #podDeleted(pod: Pod & KubeObject): void {
    const owner = this.#ownerKey(pod);
    if (!owner) return;
    this.expectations.deletionObserved(owner, keyOf(pod));
    this.enqueue(owner);
  }

  /** sync makes one reconcile step for the object at key. */
  async sync(key: string): Promise<void> {
    const cached = this.#sets.get(key);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const set = cached;
    const needsSync = this.expectations.satisfied(key) && !set.metadata.deletionTimestamp;
    const pods = await this.#claimPods(set);
    let manageErr: unknown;
    if (needsSync) {
      try {
        await this.#replicas.manage(key, set, pods);
      } catch (err) {
        manageErr = err;
      }
    }
    const spec = (set.spec ?? {}) as ReplicaSetSpec;
    const status = calculateStatus(set, pods, manageErr, this.#clock.now());
    await this.#updateStatus(set, status);
    if (manageErr) throw manageErr;
    const minReady = spec.minReadySeconds ?? 0;
    if (minReady > 0 && status.readyReplicas === (spec.replicas ?? 1) && status.availableReplicas !== (spec.replicas ?? 1)) {
      this.queue.addAfter(key, minReady * 1000);
    }
  }

  /**
   * claimPods returns the active pods this object controls after adopting
   * matching orphans and releasing owned pods that no longer match
   * (upstream ControllerRefManager.ClaimPods).
   */
  async #claimPods(set: KubeObject): Promise<(Pod & KubeObject)[]> {
    const selector = this.kind.selector(set);
    const ns = set.metadata.namespace ?? '';
    const owned: (Pod & KubeObject)[] = [];
    let adoptable = true;
    for (const pod of this.#pods.listNamespace(ns)) {
      if (!isPodActive(pod)) continue;
      const ref = controllerRefOf(pod);
      const matches = labelSelectorMatches(selector, pod.metadata.labels);
      if (ref?.uid === set.metadata.uid) {
        if (matches || set.metadata.deletionTimestamp) owned.push(pod);
        else await this.#release(pod, set);
      } else if (!ref && matches && !set.metadata.deletionTimestamp && adoptable) {
        adoptable = await this.#canAdopt(set);
        if (adoptable && (await this.#adopt(pod, set))) owned.push(pod);
      }
    }
    return owned;
  }

  /** canAdopt re-reads the owner from the API: an owner being deleted (or replaced by a namesake) must not adopt. */
  async #canAdopt(set: KubeObject): Promise<boolean> {
    try {
      const fresh = await this.#client.get(this.kind.ref, set.metadata.name!, { namespace: set.metadata.namespace });
      return fresh.metadata.uid === set.metadata.uid && !fresh.metadata.deletionTimestamp;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async #adopt(pod: KubeObject, set: KubeObject): Promise<boolean> {
    const ref = newControllerRef(set, this.kind.apiVersion, this.kind.kind);
    try {
      await this.#client.patch(R.pods, pod.metadata.name!, 'strategic', adoptPatch(pod, ref), { namespace: pod.metadata.namespace });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async #release(pod: KubeObject, set: KubeObject): Promise<void> {
    try {
      await this.#client.patch(R.pods, pod.metadata.name!, 'strategic', releasePatch(pod, set.metadata.uid!), { namespace: pod.metadata.namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async #updateStatus(set: KubeObject, status: ReplicaSetStatus): Promise<void> {
    if (!statusChanged(set, status)) return;
    const copy = deepClone(set);
    copy.status = status;
    try {
      await this.#client.update(this.kind.ref, copy, { namespace: set.metadata.namespace, subresource: 'status' });
    } catch (err) {
      // Gone: nothing to report. A conflict means the cache is behind; the update event requeues us.
      if (!isNotFound(err)) throw err;
    }
  }
}
