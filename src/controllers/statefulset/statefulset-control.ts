// SPDX-License-Identifier: Apache-2.0
/**
 * One reconcile pass over a StatefulSet's pods, after upstream
 * stateful_set_control.go updateStatefulSet: fill every ordinal in range
 * (OrderedReady: one at a time, each waiting for its predecessors to be
 * Running and Ready; Parallel: all at once), recreate finished pods, delete
 * ordinals out of range from the highest down, then roll the update
 * revision from the highest ordinal down to the partition, one pod at a
 * time, waiting for each to be healthy again.
 */
import { deepClone, deepEqual } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import type { EventRecorder } from '../../client/index.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../machinery/index.js';
import type { SharedInformer } from '../../client/index.js';
import {
  claimOwnerRefs, identityMatches, inOrdinalRange, newClaims, newStatefulSetPod, ordinalOf, replicasOf, startOrdinal, storageMatches, updateIdentity, updateStorage,
  type ClaimObj, type PodObj, type StatefulSetObj,
} from './stateful-pod.js';
import { isCreated, isFinished, isHealthy, isRunningAndAvailable, isRunningAndReady, isTerminating, revisionOf } from './statefulset-status.js';

/** Event reasons, as upstream's StatefulPodControl records them. */
export const SuccessfulCreate = 'SuccessfulCreate';
export const FailedCreate = 'FailedCreate';
export const SuccessfulDelete = 'SuccessfulDelete';
export const FailedDelete = 'FailedDelete';
export const RecreatingFailedPod = 'RecreatingFailedPod';

/** Revisions are the two sets a pass works with: the set at its current and at its update revision. */
export interface Revisions {
  currentSet: StatefulSetObj;
  updateSet: StatefulSetObj;
  current: string;
  update: string;
}

/** StatefulSetControl makes the API calls of a pass; it reads claims from the cache. */
export class StatefulSetControl {
  readonly #client: Client;
  readonly #recorder: EventRecorder;
  readonly #claims: SharedInformer<ClaimObj>;
  readonly #now: () => number;

  constructor(client: Client, recorder: EventRecorder, claims: SharedInformer<ClaimObj>, now: () => number) {
    this.#client = client;
    this.#recorder = recorder;
    this.#claims = claims;
    this.#now = now;
  }

  /** run makes one pass; it stops early where OrderedReady must wait. */
  async run(set: StatefulSetObj, pods: readonly PodObj[], rev: Revisions): Promise<void> {
    const start = startOrdinal(set);
    const replicas: (PodObj | undefined)[] = new Array(replicasOf(set)).fill(undefined);
    const condemned: PodObj[] = [];
    for (const pod of pods) {
      const ord = ordinalOf(pod);
      if (inOrdinalRange(set, ord)) replicas[ord - start] = pod;
      else condemned.push(pod);
    }
    condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
    const monotonic = set.spec?.podManagementPolicy !== 'Parallel';
    const firstUnhealthy = [...replicas, ...condemned].find((p) => p !== undefined && !isHealthy(p));
    for (let i = 0; i < replicas.length; i++) {
      if (await this.#processReplica(set, replicas[i], start + i, rev, monotonic)) return;
    }
    for (const pod of condemned) {
      if (await this.#processCondemned(set, pod, monotonic, firstUnhealthy)) return;
    }
    if (set.spec?.updateStrategy?.type === 'OnDelete') return;
    await this.#rollingUpdate(set, replicas, rev.update);
  }

  /** processReplica handles one ordinal in range; true means "stop this pass". */
  async #processReplica(set: StatefulSetObj, pod: PodObj | undefined, ordinal: number, rev: Revisions, monotonic: boolean): Promise<boolean> {
    if (pod && isFinished(pod)) {
      if (!isTerminating(pod)) {
        void this.#recorder.event(set, 'Warning', RecreatingFailedPod, `StatefulSet ${set.metadata.namespace}/${set.metadata.name} is recreating failed Pod ${pod.metadata.name}`);
        await this.#deletePod(set, pod);
      }
      // The replacement is made once the old pod is gone from the API.
      return true;
    }
    if (!pod || !isCreated(pod)) {
      await this.#createPod(set, this.#versionedPod(set, ordinal, rev));
      return monotonic;
    }
    if (isTerminating(pod)) return monotonic;
    if (pod.status?.phase === 'Pending') await this.#createMissingClaims(set, ordinal);
    const minReady = set.spec?.minReadySeconds ?? 0;
    if (monotonic && (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, this.#now()))) return true;
    if (!identityMatches(set, pod) || !storageMatches(set, pod)) await this.#fixIdentity(set, pod);
    await this.#updateClaimOwners(set, pod);
    return false;
  }

  /** versionedPod picks the revision of a new pod: ordinals below the partition stay at the current revision (upstream newVersionedStatefulSetPod). */
  #versionedPod(set: StatefulSetObj, ordinal: number, rev: Revisions): PodObj {
    const us = set.spec?.updateStrategy;
    const partition = us?.rollingUpdate?.partition ?? 0;
    if (us?.type !== 'OnDelete' && ordinal - startOrdinal(set) < partition) return newStatefulSetPod(rev.currentSet, ordinal, rev.current);
    return newStatefulSetPod(rev.updateSet, ordinal, rev.update);
  }

  async #processCondemned(set: StatefulSetObj, pod: PodObj, monotonic: boolean, firstUnhealthy: PodObj | undefined): Promise<boolean> {
    if (isTerminating(pod)) return monotonic;
    // OrderedReady deletes only when everything is healthy, or when this pod is the first unhealthy one.
    if (monotonic && !isHealthy(pod) && pod !== firstUnhealthy) return true;
    await this.#updateClaimOwners(set, pod);
    await this.#deletePod(set, pod);
    return monotonic;
  }

  async #rollingUpdate(set: StatefulSetObj, replicas: readonly (PodObj | undefined)[], updateRevision: string): Promise<void> {
    const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    for (let target = replicas.length - 1; target >= partition; target--) {
      const pod = replicas[target];
      if (!pod) return;
      if (revisionOf(pod) !== updateRevision && !isTerminating(pod)) {
        await this.#deletePod(set, pod);
        return;
      }
      if (!isHealthy(pod)) return;
    }
  }

  async #createPod(set: StatefulSetObj, pod: PodObj): Promise<void> {
    await this.#createMissingClaims(set, ordinalOf(pod));
    const verb = `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name}`;
    try {
      await this.#client.create(R.pods, pod, { namespace: set.metadata.namespace });
      void this.#recorder.event(set, 'Normal', SuccessfulCreate, `${verb} successful`);
    } catch (err) {
      // The cache is behind: the pod exists already; the next event brings it.
      if (isAlreadyExists(err)) return;
      void this.#recorder.event(set, 'Warning', FailedCreate, `${verb} failed error: ${(err as Error).message}`);
      throw err;
    }
  }

  async #createMissingClaims(set: StatefulSetObj, ordinal: number): Promise<void> {
    for (const claim of newClaims(set, ordinal)) {
      if (this.#claims.get(`${claim.metadata.namespace}/${claim.metadata.name}`)) continue;
      claim.metadata.ownerReferences = claimOwnerRefs(set, claim, undefined);
      if (claim.metadata.ownerReferences.length === 0) delete claim.metadata.ownerReferences;
      const verb = `create Claim ${claim.metadata.name} Pod ${set.metadata.name}-${ordinal} in StatefulSet ${set.metadata.name}`;
      try {
        await this.#client.create(R.persistentvolumeclaims, claim, { namespace: set.metadata.namespace });
        void this.#recorder.event(set, 'Normal', SuccessfulCreate, `${verb} success`);
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        void this.#recorder.event(set, 'Warning', FailedCreate, `${verb} failed error: ${(err as Error).message}`);
        throw err;
      }
    }
  }

  /** updateClaimOwners keeps claim owner references in step with the retention policy (only when it is not Retain/Retain). */
  async #updateClaimOwners(set: StatefulSetObj, pod: PodObj): Promise<void> {
    const policy = set.spec?.persistentVolumeClaimRetentionPolicy;
    if ((policy?.whenDeleted ?? 'Retain') === 'Retain' && (policy?.whenScaled ?? 'Retain') === 'Retain') return;
    for (const want of newClaims(set, ordinalOf(pod))) {
      const claim = this.#claims.get(`${want.metadata.namespace}/${want.metadata.name}`);
      if (!claim) continue;
      const refs = claimOwnerRefs(set, claim, pod);
      if (deepEqual(refs, claim.metadata.ownerReferences ?? [])) continue;
      const copy = deepClone(claim);
      copy.metadata.ownerReferences = refs;
      await this.#client.update(R.persistentvolumeclaims, copy, { namespace: claim.metadata.namespace }).catch(ignoreStale);
    }
  }

  async #fixIdentity(set: StatefulSetObj, pod: PodObj): Promise<void> {
    const copy = deepClone(pod);
    updateIdentity(set, copy);
    updateStorage(set, copy);
    await this.#client.update(R.pods, copy, { namespace: pod.metadata.namespace }).catch(ignoreStale);
  }

  async #deletePod(set: StatefulSetObj, pod: PodObj): Promise<void> {
    const verb = `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name}`;
    try {
      await this.#client.delete(R.pods, pod.metadata.name!, { namespace: pod.metadata.namespace, preconditions: { uid: pod.metadata.uid } });
      void this.#recorder.event(set, 'Normal', SuccessfulDelete, `${verb} successful`);
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return;
      void this.#recorder.event(set, 'Warning', FailedDelete, `${verb} failed error: ${(err as Error).message}`);
      throw err;
    }
  }
}

/** ignoreStale absorbs NotFound and Conflict: the cache is behind, and the next event brings a fresh copy. */
function ignoreStale(err: unknown): void {
  if (!isNotFound(err) && !isConflict(err)) throw err;
}
