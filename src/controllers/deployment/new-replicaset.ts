// SPDX-License-Identifier: Apache-2.0
/**
 * Finding or creating a Deployment's new ReplicaSet, after upstream
 * pkg/controller/deployment/sync.go getNewReplicaSet: an existing one gets
 * its annotations and minReadySeconds brought up to date; otherwise a new one
 * is created, named by the pod-template-hash, and a name collision with a
 * foreign ReplicaSet bumps status.collisionCount.
 */
import { deepClone, type LabelSelector } from '../../api/index.js';
import { R, type Client, type Clock, type EventRecorder } from '../../client/index.js';
import { isAlreadyExists } from '../../machinery/index.js';
import { controllerRefOf, newControllerRef } from '../controller-ref.js';
import { getCondition, hasProgressDeadline, newCondition, Reason, setCondition, type WritableStatus } from './deployment-status.js';
import type { DeploymentObj, ReplicaSetObj } from './deployment-objects.js';
import { findNewReplicaSet, setNewReplicaSetAnnotations } from './deployment-util.js';
import { computeHash, POD_TEMPLATE_HASH_LABEL } from './pod-template-hash.js';
import { maxRevision, REVISION_ANNOTATION, revisionOf } from './replicaset-annotations.js';
import { newRSNewReplicas } from './rolling-update-limits.js';

/** ScalingReplicaSet is upstream's event reason for a ReplicaSet's size change. */
export const ScalingReplicaSet = 'ScalingReplicaSet';

/** NewReplicaSetOptions are what finding the new ReplicaSet needs from its controller. */
export interface NewReplicaSetOptions {
  client: Client;
  recorder: EventRecorder;
  clock: Clock;
  /** writeStatus writes a Deployment's status and returns the stored one. */
  writeStatus(d: DeploymentObj, status: WritableStatus): Promise<DeploymentObj['status']>;
}

/** NewReplicaSetSync splits a Deployment's ReplicaSets into the new one and the old ones. */
export class NewReplicaSetSync {
  readonly #client: Client;
  readonly #recorder: EventRecorder;
  readonly #clock: Clock;
  readonly #writeStatus: NewReplicaSetOptions['writeStatus'];

  constructor(opts: NewReplicaSetOptions) {
    this.#client = opts.client;
    this.#recorder = opts.recorder;
    this.#clock = opts.clock;
    this.#writeStatus = opts.writeStatus;
  }

  /** newAndOld splits the ReplicaSets into the one matching the template and the rest, creating the new one if asked. */
  async newAndOld(d: DeploymentObj, rsList: ReplicaSetObj[], create: boolean): Promise<{ newRS?: ReplicaSetObj; oldRSs: ReplicaSetObj[] }> {
    const existing = findNewReplicaSet(d, rsList);
    const oldRSs = rsList.filter((rs) => rs !== existing);
    const newRS = await this.#getNewReplicaSet(d, rsList, oldRSs, existing, create);
    return { newRS, oldRSs };
  }

  async #getNewReplicaSet(d: DeploymentObj, rsList: ReplicaSetObj[], oldRSs: ReplicaSetObj[], existing: ReplicaSetObj | undefined, create: boolean): Promise<ReplicaSetObj | undefined> {
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) return this.#syncExistingNewRS(d, existing, newRevision);
    if (!create) return undefined;
    return this.#createNewRS(d, rsList, oldRSs, newRevision);
  }

  async #syncExistingNewRS(d: DeploymentObj, existing: ReplicaSetObj, newRevision: number): Promise<ReplicaSetObj> {
    const copy = deepClone(existing);
    const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, true);
    const minReady = d.spec?.minReadySeconds ?? 0;
    let rs = existing;
    if (annotationsChanged || (copy.spec?.minReadySeconds ?? 0) !== minReady) {
      copy.spec = { ...copy.spec, minReadySeconds: minReady };
      rs = await this.#client.update<ReplicaSetObj>(R.replicasets, copy, { namespace: d.metadata.namespace });
      Object.assign(existing, { spec: rs.spec, metadata: rs.metadata, status: rs.status });
    }
    await this.#setDeploymentRevision(d, String(revisionOf(existing)));
    if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
      const status = deepClone((d.status ?? {}) as WritableStatus);
      setCondition(status, newCondition('Progressing', 'True', Reason.FoundNewRS, `Found new replica set "${existing.metadata.name}"`, this.#clock.now()));
      d.status = await this.#writeStatus(d, status);
    }
    return existing;
  }

  async #createNewRS(d: DeploymentObj, rsList: ReplicaSetObj[], oldRSs: ReplicaSetObj[], newRevision: number): Promise<ReplicaSetObj | undefined> {
    const hash = computeHash(d.spec?.template, d.status?.collisionCount);
    const template = deepClone(d.spec!.template);
    template.metadata = { ...template.metadata, labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
    const selector = deepClone(d.spec!.selector) as LabelSelector;
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const rs: ReplicaSetObj = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: { ...(template.metadata.labels ?? {}) },
        ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')],
      },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    const replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    rs.spec!.replicas = replicas;
    setNewReplicaSetAnnotations(d, rs, newRevision, false);
    let created: ReplicaSetObj;
    try {
      created = await this.#client.create<ReplicaSetObj>(R.replicasets, rs, { namespace: d.metadata.namespace });
    } catch (err) {
      if (isAlreadyExists(err)) return this.#onNameCollision(d, rs, rsList);
      const msg = `Failed to create new replica set "${rs.metadata.name}": ${(err as Error).message}`;
      if (hasProgressDeadline(d)) {
        const status = deepClone((d.status ?? {}) as WritableStatus);
        setCondition(status, newCondition('Progressing', 'False', Reason.FailedRSCreate, msg, this.#clock.now()));
        await this.#writeStatus(d, status).catch(() => undefined);
      }
      void this.#recorder.event(d, 'Warning', Reason.FailedRSCreate, msg);
      throw err;
    }
    if (replicas > 0) void this.#recorder.event(d, 'Normal', ScalingReplicaSet, `Scaled up replica set ${created.metadata.name} to ${replicas}`);
    await this.#setDeploymentRevision(d, String(newRevision));
    if (hasProgressDeadline(d)) {
      const status = deepClone((d.status ?? {}) as WritableStatus);
      setCondition(status, newCondition('Progressing', 'True', Reason.NewReplicaSet, `Created new replica set "${created.metadata.name}"`, this.#clock.now()));
      d.status = await this.#writeStatus(d, status);
    }
    return created;
  }

  /**
   * onNameCollision: a ReplicaSet with our name exists. If it is ours with
   * our template, the cache was just behind; otherwise bump
   * status.collisionCount so the next hash differs (upstream getNewReplicaSet).
   */
  async #onNameCollision(d: DeploymentObj, rs: ReplicaSetObj, _rsList: ReplicaSetObj[]): Promise<ReplicaSetObj | undefined> {
    const existing = await this.#client.get<ReplicaSetObj>(R.replicasets, rs.metadata.name!, { namespace: d.metadata.namespace });
    if (controllerRefOf(existing)?.uid === d.metadata.uid && findNewReplicaSet(d, [existing])) return existing;
    const status = deepClone((d.status ?? {}) as WritableStatus);
    status.collisionCount = (status.collisionCount ?? 0) + 1;
    await this.#writeStatus(d, status);
    throw new Error(`replica set ${rs.metadata.name} already exists with a different template; collisionCount is now ${status.collisionCount}`);
  }

  /** setDeploymentRevision keeps the Deployment's revision annotation equal to its new ReplicaSet's. */
  async #setDeploymentRevision(d: DeploymentObj, revision: string): Promise<void> {
    if (!revision || revision === '0' || d.metadata.annotations?.[REVISION_ANNOTATION] === revision) return;
    // Through the status subresource, as upstream's controller does (UpdateStatus): annotations
    // change there without bumping metadata.generation, so a new Deployment stays at generation 1.
    const updated = await this.#client.patch<DeploymentObj>(R.deployments, d.metadata.name!, 'merge', { metadata: { annotations: { [REVISION_ANNOTATION]: revision } } }, { namespace: d.metadata.namespace, subresource: 'status' });
    d.metadata.annotations = updated.metadata.annotations;
    d.metadata.resourceVersion = updated.metadata.resourceVersion;
  }
}
