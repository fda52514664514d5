// SPDX-License-Identifier: Apache-2.0
/**
 * The Deployment controller, after upstream pkg/controller/deployment:
 * each sync claims the Deployment's ReplicaSets, finds (or creates) the one
 * whose template matches, makes one round of scalings by the strategy
 * (RollingUpdate or Recreate) or, for a plain size change or a paused
 * Deployment, scales proportionally; then it cleans up old ReplicaSets
 * beyond revisionHistoryLimit and writes status and conditions.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { deepClone, deepEqual, type KubeObject } from '../../api/index.js';
import { labelSelectorMatches, isEmptySelector, type LabelSelector } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import type { EventRecorder } from '../../client/index.js';
import { keyOf, type InformerFactory, type SharedInformer } from '../../client/index.js';
import { systemClock, type Clock } from '../../client/index.js';
import { isNotFound } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';
import { adoptPatch, controllerRefOf, newControllerRef, releasePatch } from '../controller-ref.js';
import { calculateStatus, deploymentComplete, getCondition, hasProgressDeadline, newCondition, Reason, setCondition, type WritableStatus } from './deployment-status.js';
import { progressDeadlineDue, rolloutStatus } from './deployment-progress.js';
import { NewReplicaSetSync, ScalingReplicaSet } from './new-replicaset.js';
import { activeOf, byCreation, replicasOf, type DeploymentObj, type ReplicaSetObj } from './deployment-objects.js';
import { DESIRED_REPLICAS_ANNOTATION, revisionOf, setReplicasAnnotations } from './replicaset-annotations.js';
import { maxSurge } from './rolling-update-limits.js';
import { reconcileNewReplicaSet, reconcileOldReplicaSets, scaleDownOldForRecreate, scaleProportionally } from './rollout.js';

export { ScalingReplicaSet };
/** SelectingAll is upstream's event reason for a Deployment with an empty selector. */
export const SelectingAll = 'SelectingAll';

/** DeploymentControllerOptions are the dependencies of a DeploymentController. */
export interface DeploymentControllerOptions {
  client: Client;
  factory: InformerFactory;
  recorder: EventRecorder;
  clock?: Clock;
  log?: (msg: string) => void;
}

/** DeploymentController reconciles Deployments with their ReplicaSets. */
export class DeploymentController extends Reconciler {
  readonly #client: Client;
  readonly #recorder: EventRecorder;
  readonly #clock: Clock;
  readonly #deployments: SharedInformer<DeploymentObj>;
  readonly #replicaSets: SharedInformer<ReplicaSetObj>;
  readonly #pods: SharedInformer<Pod & KubeObject>;
  readonly #newReplicaSets: NewReplicaSetSync;

  constructor(opts: DeploymentControllerOptions) {
    super({ name: 'deployment-controller', clock: opts.clock, log: opts.log, maxRetries: 15 });
    this.#client = opts.client;
    this.#recorder = opts.recorder;
    this.#clock = opts.clock ?? systemClock;
    this.#deployments = opts.factory.informer<DeploymentObj>(R.deployments);
    this.#replicaSets = opts.factory.informer<ReplicaSetObj>(R.replicasets);
    this.#pods = opts.factory.informer<Pod & KubeObject>(R.pods);
    this.#newReplicaSets = new NewReplicaSetSync({ client: this.#client, recorder: this.#recorder, clock: this.#clock, writeStatus: (d, status) => this.#writeStatus(d, status) });
    this.#deployments.addEventHandler({
      onAdd: (d) => this.enqueue(keyOf(d)),
      onUpdate: (_o, d) => this.enqueue(keyOf(d)),
      onDelete: (d) => this.enqueue(keyOf(d)),
    });
    this.#replicaSets.addEventHandler({
      onAdd: (rs) => this.#rsChanged(rs),
      onUpdate: (old, rs) => {
        const oldOwner = this.#ownerKey(old);
        if (oldOwner && oldOwner !== this.#ownerKey(rs)) this.enqueue(oldOwner);
        this.#rsChanged(rs);
      },
      onDelete: (rs) => this.#rsChanged(rs),
    });
    // Recreate waits for old pods to be gone before it scales up: a pod deletion may unblock it.
    this.#pods.addEventHandler({ onDelete: (p) => this.#podDeleted(p) });
  }

  #ownerKey(o: KubeObject): string | undefined {
    const ref = controllerRefOf(o);
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const key = `${o.metadata.namespace}/${ref.name}`;
    return this.#deployments.get(key)?.metadata.uid === ref.uid ? key : undefined;
  }

  #rsChanged(rs: ReplicaSetObj): void {
    const owner = this.#ownerKey(rs);
    if (owner) return this.enqueue(owner);
    if (controllerRefOf(rs)) return;
    for (const d of this.#deployments.listNamespace(rs.metadata.namespace ?? '')) {
      if (labelSelectorMatches(d.spec?.selector as LabelSelector, rs.metadata.labels)) this.enqueue(keyOf(d));
    }
  }

  #podDeleted(pod: Pod & KubeObject): void {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.#replicaSets.get(`${pod.metadata.namespace}/${ref.name}`);
    const owner = rs && this.#ownerKey(rs);
    if (owner && this.#deployments.get(owner)?.spec?.strategy?.type === 'Recreate') this.enqueue(owner);
  }

  /** sync makes one reconcile step for the Deployment at key. */
  async sync(key: string): Promise<void> {
    const cached = this.#deployments.get(key);
    if (!cached) return;
    const d = deepClone(cached);
    if (isEmptySelector(d.spec?.selector as LabelSelector)) {
      void this.#recorder.event(d, 'Warning', SelectingAll, 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) await this.#writeStatus(d, { ...(d.status as WritableStatus), observedGeneration: d.metadata.generation });
      return;
    }
    // Copies: the rollout functions update sizes in place as they go.
    const rsList = (await this.#claimReplicaSets(d)).map((rs) => deepClone(rs));
    if (d.metadata.deletionTimestamp) return this.#syncStatusOnly(d, rsList);
    await this.#checkPausedConditions(d);
    if (d.spec?.paused) return this.#syncScaleOnly(d, rsList);
    if (this.#isScalingEvent(d, rsList)) return this.#syncScaleOnly(d, rsList);
    if (d.spec?.strategy?.type === 'Recreate') return this.#rolloutRecreate(d, rsList);
    return this.#rolloutRolling(d, rsList);
  }

  /** claimReplicaSets adopts matching orphans and releases owned ReplicaSets that no longer match (upstream getReplicaSetsForDeployment). */
  async #claimReplicaSets(d: DeploymentObj): Promise<ReplicaSetObj[]> {
    const out: ReplicaSetObj[] = [];
    const selector = d.spec?.selector as LabelSelector;
    for (const rs of this.#replicaSets.listNamespace(d.metadata.namespace ?? '')) {
      const ref = controllerRefOf(rs);
      const matches = labelSelectorMatches(selector, rs.metadata.labels);
      if (ref?.uid === d.metadata.uid) {
        if (matches || d.metadata.deletionTimestamp) out.push(rs);
        else await this.#patchRS(rs, releasePatch(rs, d.metadata.uid!));
      } else if (!ref && matches && !d.metadata.deletionTimestamp && !rs.metadata.deletionTimestamp) {
        const fresh = await this.#client.get(R.deployments, d.metadata.name!, { namespace: d.metadata.namespace }).catch(() => undefined);
        if (fresh?.metadata.uid !== d.metadata.uid || fresh?.metadata.deletionTimestamp) continue;
        if (await this.#patchRS(rs, adoptPatch(rs, newControllerRef(d, 'apps/v1', 'Deployment')))) out.push(rs);
      }
    }
    return out;
  }

  async #patchRS(rs: ReplicaSetObj, patch: unknown): Promise<boolean> {
    try {
      await this.#client.patch(R.replicasets, rs.metadata.name!, 'strategic', patch, { namespace: rs.metadata.namespace });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** checkPausedConditions records pausing and resuming in the Progressing condition. */
  async #checkPausedConditions(d: DeploymentObj): Promise<void> {
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, 'Progressing');
    if (cond?.reason === Reason.TimedOut) return;
    const paused = !!d.spec?.paused;
    const status = deepClone((d.status ?? {}) as WritableStatus);
    if (paused && cond?.reason !== Reason.Paused) {
      setCondition(status, newCondition('Progressing', 'Unknown', Reason.Paused, 'Deployment is paused', this.#clock.now()));
    } else if (!paused && cond?.reason === Reason.Paused) {
      setCondition(status, newCondition('Progressing', 'Unknown', Reason.Resumed, 'Deployment is resumed', this.#clock.now()));
    } else {
      return;
    }
    d.status = await this.#writeStatus(d, status);
  }

  /** isScalingEvent: some active ReplicaSet was sized for a different spec.replicas than the current one. */
  #isScalingEvent(d: DeploymentObj, rsList: ReplicaSetObj[]): boolean {
    return activeOf(rsList).some((rs) => {
      const desired = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
      return desired !== undefined && desired !== String(replicasOf(d));
    });
  }

  async #syncStatusOnly(d: DeploymentObj, rsList: ReplicaSetObj[]): Promise<void> {
    const { newRS, oldRSs } = await this.#newReplicaSets.newAndOld(d, rsList, false);
    await this.#syncStatus(d, [...oldRSs, ...(newRS ? [newRS] : [])], newRS);
  }

  /** syncScaleOnly handles size changes and paused Deployments: scale proportionally, clean up, report. */
  async #syncScaleOnly(d: DeploymentObj, rsList: ReplicaSetObj[]): Promise<void> {
    const { newRS, oldRSs } = await this.#newReplicaSets.newAndOld(d, rsList, false);
    await scaleProportionally(d, newRS, oldRSs, this.#scaler(d));
    if (d.spec?.paused) await this.#cleanup(d, oldRSs);
    await this.#syncStatus(d, [...oldRSs, ...(newRS ? [newRS] : [])], newRS);
  }

  async #rolloutRolling(d: DeploymentObj, rsList: ReplicaSetObj[]): Promise<void> {
    const { newRS, oldRSs } = await this.#newReplicaSets.newAndOld(d, rsList, true);
    const allRSs = [...oldRSs, ...(newRS ? [newRS] : [])];
    const scale = this.#scaler(d);
    if (newRS && (await reconcileNewReplicaSet(d, allRSs, newRS, scale))) return this.#syncRolloutStatus(d, allRSs, newRS);
    if (await reconcileOldReplicaSets(d, allRSs, activeOf(oldRSs), newRS, scale)) return this.#syncRolloutStatus(d, allRSs, newRS);
    if (deploymentComplete(d, d.status ?? {})) await this.#cleanup(d, oldRSs);
    await this.#syncRolloutStatus(d, allRSs, newRS);
  }

  async #rolloutRecreate(d: DeploymentObj, rsList: ReplicaSetObj[]): Promise<void> {
    let { newRS, oldRSs } = await this.#newReplicaSets.newAndOld(d, rsList, false);
    const all = (): ReplicaSetObj[] => [...oldRSs, ...(newRS ? [newRS] : [])];
    const scale = this.#scaler(d);
    if (await scaleDownOldForRecreate(oldRSs, scale)) return this.#syncRolloutStatus(d, all(), newRS);
    if (this.#oldPodsRunning(oldRSs)) return this.#syncRolloutStatus(d, all(), newRS);
    if (!newRS) ({ newRS, oldRSs } = await this.#newReplicaSets.newAndOld(d, rsList, true));
    if (newRS) await scale(newRS, replicasOf(d));
    if (deploymentComplete(d, d.status ?? {})) await this.#cleanup(d, oldRSs);
    await this.#syncRolloutStatus(d, all(), newRS);
  }

  /** oldPodsRunning: some pod of an old ReplicaSet has not finished yet (Recreate must wait for it). */
  #oldPodsRunning(oldRSs: ReplicaSetObj[]): boolean {
    if (oldRSs.some((rs) => (rs.status?.replicas ?? 0) > 0)) return true;
    const uids = new Set(oldRSs.map((rs) => rs.metadata.uid));
    return this.#pods.list().some((p) => {
      const ref = controllerRefOf(p);
      return ref && uids.has(ref.uid) && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded';
    });
  }

  /** scaler returns the ScaleFn of one sync: it updates size and replica annotations and records upstream's event. */
  #scaler(d: DeploymentObj): (rs: ReplicaSetObj, replicas: number) => Promise<boolean> {
    return async (rs, replicas) => {
      const old = replicasOf(rs, 0);
      const copy = deepClone(rs);
      const annotationsChanged = setReplicasAnnotations(copy, replicasOf(d), replicasOf(d) + maxSurge(d));
      if (old === replicas && !annotationsChanged) return false;
      copy.spec = { ...copy.spec, replicas };
      const updated = await this.#client.update<ReplicaSetObj>(R.replicasets, copy, { namespace: rs.metadata.namespace });
      Object.assign(rs, { spec: updated.spec, metadata: updated.metadata, status: updated.status });
      if (old === replicas) return false;
      const op = replicas > old ? 'up' : 'down';
      void this.#recorder.event(d, 'Normal', ScalingReplicaSet, `Scaled ${op} replica set ${rs.metadata.name} to ${replicas} from ${old}`);
      return true;
    };
  }

  /** cleanup deletes the oldest idle ReplicaSets beyond revisionHistoryLimit. */
  async #cleanup(d: DeploymentObj, oldRSs: ReplicaSetObj[]): Promise<void> {
    const limit = d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    const byRevision = byCreation(cleanable).sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of byRevision.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs, 0) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await this.#client.delete(R.replicasets, rs.metadata.name!, { namespace: rs.metadata.namespace });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  async #syncStatus(d: DeploymentObj, allRSs: ReplicaSetObj[], newRS: ReplicaSetObj | undefined): Promise<void> {
    const status = calculateStatus(allRSs, newRS, d, this.#clock.now());
    if (!deepEqual(d.status ?? {}, status)) await this.#writeStatus(d, status);
  }

  /** syncRolloutStatus writes status with the Progressing condition, and requeues a stuck rollout at its deadline. */
  async #syncRolloutStatus(d: DeploymentObj, allRSs: ReplicaSetObj[], newRS: ReplicaSetObj | undefined): Promise<void> {
    const now = this.#clock.now();
    const status = rolloutStatus(d, allRSs, newRS, now);
    if (!deepEqual(d.status ?? {}, status)) return void (await this.#writeStatus(d, status));
    const due = progressDeadlineDue(d, status, now);
    if (due !== undefined) this.queue.addAfter(keyOf(d), due + 1000);
  }

  async #writeStatus(d: DeploymentObj, status: WritableStatus): Promise<DeploymentObj['status']> {
    const copy = deepClone(d);
    copy.status = status;
    const updated = await this.#client.update<DeploymentObj>(R.deployments, copy, { namespace: d.metadata.namespace, subresource: 'status' });
    d.metadata.resourceVersion = updated.metadata.resourceVersion;
    return updated.status;
  }
}
