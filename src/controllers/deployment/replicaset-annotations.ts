// SPDX-License-Identifier: Apache-2.0
/**
 * The annotations a Deployment keeps on its ReplicaSets: revision, revision
 * history, desired and max replicas, and the Deployment's own annotations
 * copied over (upstream deployment_util.go).
 */
import type { KubeObject } from '../../api/index.js';
import type { DeploymentObj, ReplicaSetObj } from './deployment-objects.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';

/** Annotations a Deployment does not copy onto its ReplicaSets (upstream annotationsToSkip). */
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);


/** revisionOf reads a ReplicaSet's revision annotation (0 when absent or malformed). */
export function revisionOf(o: KubeObject): number {
  const n = Number(o.metadata.annotations?.[REVISION_ANNOTATION] ?? '');
  return Number.isFinite(n) ? n : 0;
}

/** maxRevision is the highest revision among ReplicaSets. */
export function maxRevision(list: KubeObject[]): number {
  return list.reduce((m, o) => Math.max(m, revisionOf(o)), 0);
}


/** copyAnnotationsToRS copies the Deployment's annotations onto a ReplicaSet, skipping the controller's own; reports a change. */
export function copyAnnotationsToRS(d: DeploymentObj, rs: ReplicaSetObj): boolean {
  const ann = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  return changed;
}

/** setReplicasAnnotations records desired and max replicas on a ReplicaSet; reports a change. */
export function setReplicasAnnotations(rs: ReplicaSetObj, desired: number, max: number): boolean {
  const ann = (rs.metadata.annotations ??= {});
  if (ann[DESIRED_REPLICAS_ANNOTATION] === String(desired) && ann[MAX_REPLICAS_ANNOTATION] === String(max)) return false;
  ann[DESIRED_REPLICAS_ANNOTATION] = String(desired);
  ann[MAX_REPLICAS_ANNOTATION] = String(max);
  return true;
}
