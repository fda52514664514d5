// SPDX-License-Identifier: Apache-2.0
/**
 * Finding and marking a Deployment's new and old ReplicaSets, after upstream
 * pkg/controller/deployment/util/deployment_util.go (FindNewReplicaSet,
 * SetNewReplicaSetAnnotations, IsSaturated, FindActiveOrLatest).
 */
import { activeOf, byCreation, replicasOf, type DeploymentObj, type ReplicaSetObj } from './deployment-objects.js';
import { equalIgnoreHash } from './pod-template-hash.js';
import { copyAnnotationsToRS, DESIRED_REPLICAS_ANNOTATION, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, setReplicasAnnotations } from './replicaset-annotations.js';
import { maxSurge } from './rolling-update-limits.js';

/** findNewReplicaSet returns the oldest ReplicaSet whose template equals the Deployment's. */
export function findNewReplicaSet(d: DeploymentObj, rsList: ReplicaSetObj[]): ReplicaSetObj | undefined {
  return byCreation(rsList).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/**
 * setNewReplicaSetAnnotations brings the new ReplicaSet's annotations up to
 * date: the Deployment's own, the revision (keeping earlier revisions in
 * revision-history when a rollback reuses a ReplicaSet), and, for a new one,
 * desired/max replicas (upstream SetNewReplicaSetAnnotations).
 */
export function setNewReplicaSetAnnotations(d: DeploymentObj, rs: ReplicaSetObj, newRevision: number, exists: boolean): boolean {
  let changed = copyAnnotationsToRS(d, rs);
  const ann = (rs.metadata.annotations ??= {});
  const old = ann[REVISION_ANNOTATION];
  const oldNum = old ? Number(old) : 0;
  if (!old || oldNum < newRevision) {
    ann[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (old) {
      const hist = ann[REVISION_HISTORY_ANNOTATION];
      ann[REVISION_HISTORY_ANNOTATION] = hist ? `${hist},${old}` : old;
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** isSaturated: the new ReplicaSet runs the full desired count, all available. */
export function isSaturated(d: DeploymentObj, rs: ReplicaSetObj | undefined): boolean {
  if (!rs) return false;
  const desired = replicasOf(d);
  const ann = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
  return replicasOf(rs, 0) === desired && ann === String(desired) && (rs.status?.availableReplicas ?? 0) === desired;
}

/** findActiveOrLatest: the only active ReplicaSet, or the newest when none is active, or undefined when several are. */
export function findActiveOrLatest(newRS: ReplicaSetObj | undefined, oldRSs: ReplicaSetObj[]): ReplicaSetObj | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = byCreation(oldRSs).reverse();
  const all = newRS ? [newRS, ...newestFirst] : newestFirst;
  const active = activeOf(all);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}
