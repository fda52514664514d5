// SPDX-License-Identifier: Apache-2.0
/**
 * Rolling-update arithmetic: maxSurge and maxUnavailable resolved against
 * the desired count, how far the new ReplicaSet may grow, and proportional
 * scaling of active ReplicaSets (upstream deployment_util.go and
 * DeploymentController.scale).
 */
import { createdAt, replicasOf, specReplicas, type DeploymentObj, type ReplicaSetObj } from './deployment-objects.js';
import { MAX_REPLICAS_ANNOTATION } from './replicaset-annotations.js';

/** scaledValue resolves an int-or-percent against total; percents round up or down as asked. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean, dflt: string): number {
  const x = v ?? dflt;
  if (typeof x === 'number') return x;
  const m = /^(\d+)%$/.exec(x);
  if (!m) {
    const n = Number(x);
    if (Number.isInteger(n)) return n;
    throw new Error(`invalid value for IntOrString: invalid value ${JSON.stringify(x)}`);
  }
  const raw = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}

/** resolveFenceposts returns maxSurge (rounded up) and maxUnavailable (rounded down); both zero means one unavailable. */
export function resolveFenceposts(d: DeploymentObj): { surge: number; unavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate;
  const desired = replicasOf(d);
  const surge = scaledValue(ru?.maxSurge, desired, true, '25%');
  let unavailable = scaledValue(ru?.maxUnavailable, desired, false, '25%');
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

function isRolling(d: DeploymentObj): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** maxSurge is how many pods above the desired count a rolling update may run (0 for Recreate). */
export function maxSurge(d: DeploymentObj): number {
  return isRolling(d) ? resolveFenceposts(d).surge : 0;
}

/** maxUnavailable is how many desired pods may be unavailable (0 for Recreate), never more than desired. */
export function maxUnavailable(d: DeploymentObj): number {
  const desired = replicasOf(d);
  if (!isRolling(d) || desired === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, desired);
}

/** newRSNewReplicas is how big the new ReplicaSet may be now (upstream NewRSNewReplicas). */
export function newRSNewReplicas(d: DeploymentObj, allRSs: ReplicaSetObj[], newRS: ReplicaSetObj): number {
  const desired = replicasOf(d);
  if (!isRolling(d)) return desired;
  const current = specReplicas(allRSs);
  const maxTotal = desired + maxSurge(d);
  const cur = replicasOf(newRS, 0);
  if (current >= maxTotal) return cur;
  return cur + Math.min(maxTotal - current, desired - cur);
}

/**
 * proportionalSizes spreads a change of the Deployment's size over its
 * active ReplicaSets in proportion to their size (upstream
 * DeploymentController.scale), largest first; the rounding leftover goes to
 * the first one.
 */
export function proportionalSizes(d: DeploymentObj, active: ReplicaSetObj[]): Map<string, number> {
  const allowed = replicasOf(d) + maxSurge(d);
  const toAdd = allowed - specReplicas(active);
  const sizeOf = (rs: ReplicaSetObj): number => replicasOf(rs, 0);
  const sorted = [...active].sort((a, b) => {
    if (sizeOf(a) !== sizeOf(b)) return sizeOf(b) - sizeOf(a);
    // Scaling up favours newer ReplicaSets on ties, scaling down older ones.
    return toAdd > 0 ? createdAt(b) - createdAt(a) : createdAt(a) - createdAt(b);
  });
  const sizes = new Map<string, number>();
  let added = 0;
  for (const rs of sorted) {
    let p = 0;
    if (toAdd !== 0 && sizeOf(rs) > 0 && toAdd !== added) {
      const fraction = replicaSetFraction(rs, d);
      p = toAdd > 0 ? Math.min(fraction, toAdd - added) : Math.max(fraction, toAdd - added);
    }
    sizes.set(rs.metadata.name!, sizeOf(rs) + p);
    added += p;
  }
  if (sorted.length > 0 && toAdd !== 0) {
    const first = sorted[0].metadata.name!;
    sizes.set(first, Math.max(0, sizes.get(first)! + toAdd - added));
  }
  return sizes;
}

function replicaSetFraction(rs: ReplicaSetObj, d: DeploymentObj): number {
  if (replicasOf(d) === 0) return -replicasOf(rs, 0);
  const deploymentReplicas = replicasOf(d) + maxSurge(d);
  const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION] ?? NaN);
  const base = Number.isInteger(annotated) && annotated > 0 ? annotated : d.status?.replicas ?? 0;
  if (base === 0) return 0;
  return Math.round((replicasOf(rs, 0) * deploymentReplicas) / base) - replicasOf(rs, 0);
}
