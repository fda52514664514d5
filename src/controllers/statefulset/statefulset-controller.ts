// SPDX-License-Identifier: Apache-2.0
/**
 * The StatefulSet controller, after upstream pkg/controller/statefulset:
 * each sync claims the set's pods and ControllerRevisions, makes sure a
 * revision of the current template exists (the update revision), runs one
 * StatefulSetControl pass, writes status and trims the history to
 * revisionHistoryLimit.
 */
import type { StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { deepClone, isPlainObject, type KubeObject } from '../../api/index.js';
import { labelSelectorMatches } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import type { EventRecorder } from '../../client/index.js';
import { keyOf, type InformerFactory, type SharedInformer } from '../../client/index.js';
import { systemClock, type Clock } from '../../client/index.js';
import { isNotFound } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';
import { controllerRefOf } from '../controller-ref.js';
import {
  createControllerRevision, equalRevision, newControllerRevision, nextRevision, REVISION_HASH_LABEL, sortRevisions, truncateHistory, updateRevisionNumber,
  type ControllerRevisionObj,
} from '../controller-revision.js';
import { claimObjects } from '../claim-objects.js';
import { isMemberOf, type ClaimObj, type PodObj, type StatefulSetObj } from './stateful-pod.js';
import { StatefulSetControl, type Revisions } from './statefulset-control.js';
import { computeStatus, isRunningAndReady, revisionOf, statusChanged } from './statefulset-status.js';

/** StatefulSetControllerOptions are the dependencies of a StatefulSetController. */
export interface StatefulSetControllerOptions {
  client: Client;
  factory: InformerFactory;
  recorder: EventRecorder;
  clock?: Clock;
  log?: (msg: string) => void;
}

/** StatefulSetController reconciles StatefulSets with their pods, claims and revisions. */
export class StatefulSetController extends Reconciler {
  readonly #client: Client;
  readonly #clock: Clock;
  readonly #sets: SharedInformer<StatefulSetObj>;
  readonly #pods: SharedInformer<PodObj>;
  readonly #revisions: SharedInformer<ControllerRevisionObj>;
  readonly #control: StatefulSetControl;

  constructor(opts: StatefulSetControllerOptions) {
    super({ name: 'statefulset-controller', clock: opts.clock, log: opts.log, maxRetries: 15 });
    this.#client = opts.client;
    this.#clock = opts.clock ?? systemClock;
    this.#sets = opts.factory.informer<StatefulSetObj>(R.statefulsets);
    this.#pods = opts.factory.informer<PodObj>(R.pods);
    this.#revisions = opts.factory.informer<ControllerRevisionObj>(R.controllerrevisions);
    const claims = opts.factory.informer<ClaimObj>(R.persistentvolumeclaims);
    this.#control = new StatefulSetControl(opts.client, opts.recorder, claims, () => this.#clock.now());
    this.#sets.addEventHandler({
      onAdd: (s) => this.enqueue(keyOf(s)),
      onUpdate: (_o, s) => this.enqueue(keyOf(s)),
      onDelete: (s) => this.enqueue(keyOf(s)),
    });
    this.#pods.addEventHandler({
      onAdd: (p) => this.#podChanged(p),
      onUpdate: (old, p) => this.#podChanged(p, old),
      onDelete: (p) => this.#podChanged(p),
    });
  }

  /** podChanged enqueues the pod's set, or every set that could adopt an orphan. */
  #podChanged(pod: PodObj, old?: PodObj): void {
    const ref = controllerRefOf(pod);
    if (old && controllerRefOf(old)?.uid !== ref?.uid) {
      const oldRef = controllerRefOf(old);
      if (oldRef?.kind === 'StatefulSet') this.enqueue(`${old.metadata.namespace}/${oldRef.name}`);
    }
    if (ref) {
      if (ref.kind !== 'StatefulSet') return;
      const key = `${pod.metadata.namespace}/${ref.name}`;
      const set = this.#sets.get(key);
      if (set?.metadata.uid !== ref.uid) return;
      this.enqueue(key);
      // A pod that just became ready becomes available minReadySeconds later: look again then.
      const minReady = set.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && old && !isRunningAndReady(old) && isRunningAndReady(pod)) this.queue.addAfter(key, minReady * 1000 + 100);
      return;
    }
    for (const s of this.#sets.listNamespace(pod.metadata.namespace ?? '')) {
      if (labelSelectorMatches(s.spec?.selector, pod.metadata.labels)) this.enqueue(keyOf(s));
    }
  }

  /** sync makes one reconcile step for the StatefulSet at key. */
  async sync(key: string): Promise<void> {
    const set = this.#sets.get(key);
    if (!set) return;
    const common = { client: this.#client, ownerRef: R.statefulsets, owner: set, apiVersion: 'apps/v1', kind: 'StatefulSet', selector: set.spec?.selector };
    const ns = set.metadata.namespace ?? '';
    const revisions = await claimObjects({ ...common, ref: R.controllerrevisions, candidates: this.#revisions.listNamespace(ns) });
    const pods = await claimObjects({ ...common, ref: R.pods, candidates: this.#pods.listNamespace(ns), filter: (p) => isMemberOf(set, p) });
    const { rev, collisionCount, all } = await this.#statefulSetRevisions(set, revisions);
    if (!set.metadata.deletionTimestamp) await this.#control.run(set, pods, rev);
    const status = computeStatus({ set, pods, currentRevision: rev.current, updateRevision: rev.update, collisionCount, now: this.#clock.now() });
    await this.#updateStatus(set, status);
    const live = new Set([status.currentRevision!, status.updateRevision!, ...pods.map((p) => revisionOf(p) ?? '')]);
    await truncateHistory(this.#client, all, live, set.spec?.revisionHistoryLimit ?? 10);
    const minReady = set.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && status.readyReplicas !== status.availableReplicas) this.queue.addAfter(key, minReady * 1000);
  }

  /**
   * statefulSetRevisions finds or creates the update revision (the current
   * template) and finds the current revision (status.currentRevision, or the
   * update revision for a new set), as upstream getStatefulSetRevisions.
   */
  async #statefulSetRevisions(set: StatefulSetObj, claimed: ControllerRevisionObj[]): Promise<{ rev: Revisions; collisionCount: number; all: ControllerRevisionObj[] }> {
    const revisions = sortRevisions(claimed);
    let collisionCount = set.status?.collisionCount ?? 0;
    const opts = { owner: set, apiVersion: 'apps/v1', kind: 'StatefulSet', template: set.spec?.template, revision: nextRevision(revisions), hashLabel: REVISION_HASH_LABEL };
    const wanted = newControllerRevision({ ...opts, collisionCount });
    const equal = revisions.filter((r) => equalRevision(r, wanted));
    let update: ControllerRevisionObj;
    if (equal.length > 0 && equal[equal.length - 1] === revisions[revisions.length - 1]) {
      update = revisions[revisions.length - 1];
    } else if (equal.length > 0) {
      // Going back to an old template: that revision becomes the newest (what `rollout undo` relies on).
      update = await updateRevisionNumber(this.#client, equal[equal.length - 1], opts.revision);
    } else {
      const created = await createControllerRevision(this.#client, { ...opts, collisionCount });
      update = created.revision;
      collisionCount = created.collisionCount ?? 0;
    }
    const all = [...revisions.filter((r) => r.metadata.name !== update.metadata.name), update];
    const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    const rev = { currentSet: applyRevision(set, current), updateSet: applyRevision(set, update), current: current.metadata.name!, update: update.metadata.name! };
    return { rev, collisionCount, all };
  }

  async #updateStatus(set: StatefulSetObj, status: StatefulSetStatus): Promise<void> {
    if (!statusChanged(set, status)) return;
    const copy = deepClone(set);
    copy.status = { ...(set.status ?? {}), ...status };
    try {
      await this.#client.update(R.statefulsets, copy as KubeObject, { namespace: set.metadata.namespace, subresource: 'status' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** applyRevision is the set with the template stored in a revision (upstream ApplyRevision). */
export function applyRevision(set: StatefulSetObj, rev: ControllerRevisionObj): StatefulSetObj {
  const data = rev.data;
  const tpl = isPlainObject(data) && isPlainObject(data.spec) && isPlainObject(data.spec.template) ? (deepClone(data.spec.template) as PodTemplateSpec & { $patch?: string }) : undefined;
  if (!tpl) return set;
  delete tpl.$patch;
  return { ...set, spec: { ...set.spec!, template: tpl } };
}
