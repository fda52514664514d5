// SPDX-License-Identifier: Apache-2.0
/**
 * StatefulSet pod states and status, after upstream stateful_set_utils.go
 * and updateStatus in stateful_set_control.go.
 */
import type { StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import { deepEqual } from '../../api/index.js';
import { CONTROLLER_REVISION_HASH_LABEL } from '../controller-revision.js';
import { isPodAvailable, isPodReady } from '../pod-status.js';
import type { PodObj, StatefulSetObj } from './stateful-pod.js';

/** isCreated: the API has given the pod a phase (upstream isCreated). */
export function isCreated(pod: PodObj): boolean {
  return Boolean(pod.status?.phase);
}

/** isTerminating: the pod is being deleted. */
export function isTerminating(pod: PodObj): boolean {
  return Boolean(pod.metadata.deletionTimestamp);
}

/** isFinished: the pod reached Failed or Succeeded and will not run again. */
export function isFinished(pod: PodObj): boolean {
  return pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
}

/** isRunningAndReady: phase Running and the Ready condition True. */
export function isRunningAndReady(pod: PodObj): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

/** isRunningAndAvailable: running and ready for minReadySeconds. */
export function isRunningAndAvailable(pod: PodObj, minReadySeconds: number, now: number): boolean {
  return pod.status?.phase === 'Running' && isPodAvailable(pod, minReadySeconds, now);
}

/** isHealthy: running, ready and not being deleted (upstream isHealthy). */
export function isHealthy(pod: PodObj): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod);
}

/** revisionOf is the revision name a pod was made from. */
export function revisionOf(pod: PodObj): string | undefined {
  return pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
}

/** StatusInput is what a status is computed from. */
export interface StatusInput {
  set: StatefulSetObj;
  pods: readonly PodObj[];
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
  now: number;
}

/** computeStatus counts the set's pods (upstream updateStatus, then completeRollingUpdate). */
export function computeStatus(i: StatusInput): StatefulSetStatus {
  const minReady = i.set.spec?.minReadySeconds ?? 0;
  const s = { observedGeneration: i.set.metadata.generation ?? 0, replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  for (const pod of i.pods) {
    if (isCreated(pod)) s.replicas++;
    if (isRunningAndReady(pod)) {
      s.readyReplicas++;
      if (isRunningAndAvailable(pod, minReady, i.now)) s.availableReplicas++;
    }
    if (!isCreated(pod) || isTerminating(pod)) continue;
    if (revisionOf(pod) === i.currentRevision) s.currentReplicas++;
    if (revisionOf(pod) === i.updateRevision) s.updatedReplicas++;
  }
  const status: StatefulSetStatus = { ...s, currentRevision: i.currentRevision, updateRevision: i.updateRevision, collisionCount: i.collisionCount };
  const want = i.set.spec?.replicas ?? 1;
  // A finished rolling update makes the update revision current (upstream completeRollingUpdate).
  if (i.set.spec?.updateStrategy?.type !== 'OnDelete' && s.updatedReplicas === want && s.readyReplicas === want && s.replicas === want) {
    status.currentReplicas = s.updatedReplicas;
    status.currentRevision = i.updateRevision;
  }
  return status;
}

/** statusChanged reports whether writing status would change anything (conditions are kept as they are). */
export function statusChanged(set: StatefulSetObj, status: StatefulSetStatus): boolean {
  const old = (set.status ?? {}) as Record<string, unknown>;
  return Object.entries(status).some(([k, v]) => !deepEqual(old[k] ?? 0, v ?? 0));
}
