// SPDX-License-Identifier: Apache-2.0
/**
 * Deployment status and conditions as upstream computes them
 * (pkg/controller/deployment/sync.go calculateStatus, progress.go and
 * util/deployment_util.go: DeploymentComplete, DeploymentProgressing,
 * DeploymentTimedOut).
 */
import type { DeploymentCondition, DeploymentStatus } from 'kubernetes-types/apps/v1.js';
import { deepClone } from '../../api/index.js';
import { availableReplicas, readyReplicas, replicasOf, specReplicas, statusReplicas, type DeploymentObj, type ReplicaSetObj } from './deployment-objects.js';
import { maxUnavailable } from './rolling-update-limits.js';
import { rfc3339 } from '../../machinery/index.js';

/** Condition reasons, as upstream's deploymentutil constants. */
export const Reason = {
  NewReplicaSet: 'NewReplicaSetCreated',
  FoundNewRS: 'FoundNewReplicaSet',
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  NewRSAvailable: 'NewReplicaSetAvailable',
  TimedOut: 'ProgressDeadlineExceeded',
  FailedRSCreate: 'ReplicaSetCreateError',
  Paused: 'DeploymentPaused',
  Resumed: 'DeploymentResumed',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

/** Condition is a writable DeploymentCondition. */
export type Condition = { -readonly [K in keyof DeploymentCondition]: DeploymentCondition[K] };

/** newCondition stamps a condition with the current time. */
export function newCondition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string, now: number): Condition {
  const t = rfc3339(now);
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
}

/** getCondition finds a condition by type. */
export function getCondition(status: DeploymentStatus | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type) as Condition | undefined;
}

/**
 * setCondition puts a condition in place: a condition with the same status
 * and reason is left alone; the same status keeps its transition time
 * (upstream SetDeploymentCondition).
 */
export function setCondition(status: DeploymentStatus & { conditions?: Condition[] }, c: Condition): void {
  const cur = getCondition(status, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  if (cur && cur.status === c.status) c.lastTransitionTime = cur.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), c];
}

/** removeCondition drops a condition by type. */
export function removeCondition(status: DeploymentStatus & { conditions?: Condition[] }, type: string): void {
  if (status.conditions) status.conditions = status.conditions.filter((c) => c.type !== type);
}

/** WritableStatus is a DeploymentStatus we build up. */
export type WritableStatus = { -readonly [K in keyof DeploymentStatus]: DeploymentStatus[K] } & { conditions?: Condition[] };

/** calculateStatus derives counts from the ReplicaSets and the Available condition from maxUnavailable. */
export function calculateStatus(allRSs: ReplicaSetObj[], newRS: ReplicaSetObj | undefined, d: DeploymentObj, now: number): WritableStatus {
  const available = availableReplicas(allRSs);
  const total = specReplicas(allRSs);
  const status: WritableStatus = {
    observedGeneration: d.metadata.generation,
    replicas: statusReplicas(allRSs),
    updatedReplicas: statusReplicas(newRS ? [newRS] : []),
    readyReplicas: readyReplicas(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  const conds = deepClone(d.status?.conditions ?? []) as Condition[];
  if (conds.length > 0) status.conditions = conds;
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', Reason.MinimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', Reason.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** hasProgressDeadline: progressDeadlineSeconds is set and not MaxInt32 (which means "never"). */
export function hasProgressDeadline(d: DeploymentObj): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== null && s !== 2147483647;
}

/** deploymentComplete: every desired replica is updated and available, and the controller has seen this generation. */
export function deploymentComplete(d: DeploymentObj, s: WritableStatus): boolean {
  const want = replicasOf(d);
  return s.updatedReplicas === want && s.replicas === want && s.availableReplicas === want && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** deploymentProgressing: the new status moved forward compared to what the Deployment reports. */
export function deploymentProgressing(d: DeploymentObj, s: WritableStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** deploymentTimedOut: no progress for progressDeadlineSeconds since the Progressing condition last changed. */
export function deploymentTimedOut(d: DeploymentObj, s: WritableStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c) return false;
  if (c.reason === Reason.NewRSAvailable) return false;
  if (c.reason === Reason.TimedOut) return true;
  const from = Date.parse(c.lastUpdateTime ?? '');
  return !Number.isNaN(from) && from + d.spec!.progressDeadlineSeconds! * 1000 < now;
}
