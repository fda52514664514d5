// SPDX-License-Identifier: Apache-2.0
/**
 * A rollout's status with its Progressing and ReplicaFailure conditions, and
 * when a stuck rollout must be looked at again (upstream
 * pkg/controller/deployment/progress.go syncRolloutStatus and
 * requeueStuckDeployment).
 */
import {
  calculateStatus, deploymentComplete, deploymentProgressing, deploymentTimedOut, getCondition, hasProgressDeadline, newCondition, Reason, removeCondition, setCondition, type WritableStatus,
} from './deployment-status.js';
import type { DeploymentObj, ReplicaSetObj } from './deployment-objects.js';

/** rolloutStatus computes the Deployment's status, with Progressing moved on by the rollout's state and ReplicaFailure copied from its ReplicaSets. */
export function rolloutStatus(d: DeploymentObj, allRSs: ReplicaSetObj[], newRS: ReplicaSetObj | undefined, now: number): WritableStatus {
  const status = calculateStatus(allRSs, newRS, d, now);
  if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
  const cur = getCondition(status, 'Progressing');
  const complete = status.replicas === status.updatedReplicas && cur?.reason === Reason.NewRSAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const name = newRS?.metadata.name ?? '';
    if (deploymentComplete(d, status)) {
      setCondition(status, newCondition('Progressing', 'True', Reason.NewRSAvailable, `ReplicaSet "${name}" has successfully progressed.`, now));
    } else if (deploymentProgressing(d, status)) {
      const c = newCondition('Progressing', 'True', Reason.ReplicaSetUpdated, `ReplicaSet "${name}" is progressing.`, now);
      if (cur?.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
      removeCondition(status, 'Progressing');
      setCondition(status, c);
    } else if (deploymentTimedOut(d, status, now)) {
      setCondition(status, newCondition('Progressing', 'False', Reason.TimedOut, `ReplicaSet "${name}" has timed out progressing.`, now));
    }
  }
  const failure = allRSs.map((rs) => rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure')).find((c) => c);
  if (failure) setCondition(status, { type: 'ReplicaFailure', status: failure.status, reason: failure.reason, message: failure.message, lastUpdateTime: failure.lastTransitionTime, lastTransitionTime: failure.lastTransitionTime });
  else removeCondition(status, 'ReplicaFailure');
  return status;
}

/** progressDeadlineDue is how long until a still-progressing rollout passes its deadline (ms, at least 0), or undefined when no timeout is pending. */
export function progressDeadlineDue(d: DeploymentObj, status: WritableStatus, now: number): number | undefined {
  const cur = getCondition(status, 'Progressing');
  if (!hasProgressDeadline(d) || !cur || cur.reason === Reason.NewRSAvailable || deploymentComplete(d, status) || deploymentTimedOut(d, status, now)) return undefined;
  const due = Date.parse(cur.lastUpdateTime ?? '') + d.spec!.progressDeadlineSeconds! * 1000 - now;
  return Math.max(0, due);
}
