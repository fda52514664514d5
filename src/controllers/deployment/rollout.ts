// SPDX-License-Identifier: Apache-2.0
/**
 * The two rollout strategies and proportional scaling, after upstream
 * pkg/controller/deployment/rolling.go, recreate.go and sync.go (scale).
 * Each function makes at most one round of ReplicaSet scalings through the
 * `scale` callback and reports whether it scaled anything; the controller
 * then syncs status and waits for the next event.
 */
import { activeOf, availableReplicas, byCreation, replicasOf, specReplicas, type DeploymentObj, type ReplicaSetObj } from './deployment-objects.js';
import { findActiveOrLatest, isSaturated } from './deployment-util.js';
import { maxUnavailable, newRSNewReplicas, proportionalSizes } from './rolling-update-limits.js';

/** ScaleFn sets one ReplicaSet's replicas (and the Deployment's replica annotations on it); it resolves true when the size changed. */
export type ScaleFn = (rs: ReplicaSetObj, replicas: number) => Promise<boolean>;

/** reconcileNewReplicaSet grows (or shrinks) the new ReplicaSet as far as maxSurge allows. */
export async function reconcileNewReplicaSet(d: DeploymentObj, allRSs: ReplicaSetObj[], newRS: ReplicaSetObj, scale: ScaleFn): Promise<boolean> {
  const want = replicasOf(d);
  const cur = replicasOf(newRS, 0);
  if (cur === want) return false;
  if (cur > want) return scale(newRS, want);
  return scale(newRS, newRSNewReplicas(d, allRSs, newRS));
}

/**
 * reconcileOldReplicaSets shrinks old ReplicaSets as far as maxUnavailable
 * allows: first their unhealthy pods (which cost no availability), then
 * available ones, oldest ReplicaSets first.
 */
export async function reconcileOldReplicaSets(d: DeploymentObj, allRSs: ReplicaSetObj[], oldRSs: ReplicaSetObj[], newRS: ReplicaSetObj | undefined, scale: ScaleFn): Promise<boolean> {
  if (specReplicas(oldRSs) === 0) return false;
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = newRS ? replicasOf(newRS, 0) - (newRS.status?.availableReplicas ?? 0) : 0;
  const maxScaledDown = specReplicas(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = await cleanupUnhealthyReplicas(oldRSs, maxScaledDown, scale);
  const scaledDown = await scaleDownOldForRollingUpdate(d, allRSs, oldRSs, scale);
  return cleaned + scaledDown > 0;
}

async function cleanupUnhealthyReplicas(oldRSs: ReplicaSetObj[], maxCleanup: number, scale: ScaleFn): Promise<number> {
  let total = 0;
  for (const rs of byCreation(oldRSs)) {
    if (total >= maxCleanup) break;
    const size = replicasOf(rs, 0);
    const available = rs.status?.availableReplicas ?? 0;
    if (size === 0 || size === available) continue;
    const n = Math.min(maxCleanup - total, size - available);
    await scale(rs, size - n);
    // Later decisions in this round read the new size, as upstream replaces the slice entry.
    rs.spec = { ...rs.spec, replicas: size - n };
    total += n;
  }
  return total;
}

async function scaleDownOldForRollingUpdate(d: DeploymentObj, allRSs: ReplicaSetObj[], oldRSs: ReplicaSetObj[], scale: ScaleFn): Promise<number> {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const available = availableReplicas(allRSs);
  if (available <= minAvailable) return 0;
  const budget = available - minAvailable;
  let total = 0;
  for (const rs of byCreation(oldRSs)) {
    if (total >= budget) break;
    const size = replicasOf(rs, 0);
    if (size === 0) continue;
    const n = Math.min(size, budget - total);
    await scale(rs, size - n);
    total += n;
  }
  return total;
}

/** scaleDownOldForRecreate scales every active old ReplicaSet to zero. */
export async function scaleDownOldForRecreate(oldRSs: ReplicaSetObj[], scale: ScaleFn): Promise<boolean> {
  let scaled = false;
  for (const rs of activeOf(oldRSs)) if (await scale(rs, 0)) scaled = true;
  return scaled;
}

/**
 * scaleProportionally applies a change of spec.replicas without rolling
 * anything: one active ReplicaSet takes the whole size; a saturated new one
 * means old ones go to zero; otherwise every active ReplicaSet moves in
 * proportion to its size (upstream DeploymentController.scale).
 */
export async function scaleProportionally(d: DeploymentObj, newRS: ReplicaSetObj | undefined, oldRSs: ReplicaSetObj[], scale: ScaleFn): Promise<void> {
  const only = findActiveOrLatest(newRS, oldRSs);
  if (only) {
    if (replicasOf(only, 0) !== replicasOf(d)) await scale(only, replicasOf(d));
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const rs of activeOf(oldRSs)) await scale(rs, 0);
    return;
  }
  const active = activeOf([...oldRSs, newRS]);
  const sizes = proportionalSizes(d, active);
  for (const rs of active) await scale(rs, sizes.get(rs.metadata.name!) ?? replicasOf(rs, 0));
}
