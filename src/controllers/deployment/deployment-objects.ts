// SPDX-License-Identifier: Apache-2.0
/**
 * The typed Deployment and ReplicaSet shapes the Deployment controller works
 * on, and the counts it reads off lists of ReplicaSets (after upstream
 * pkg/controller/deployment/util/deployment_util.go).
 */
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/index.js';
import { compareStrings } from '../../machinery/index.js';

/** DeploymentObj and ReplicaSetObj are the typed shapes with KubeObject's writable metadata. */
export type DeploymentObj = Omit<Deployment, 'metadata'> & KubeObject;
export interface ReplicaSetObj extends KubeObject {
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
    template?: PodTemplateSpec;
  };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number; observedGeneration?: number; conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[] };
}

/** replicasOf reads spec.replicas with the API default of 1 for Deployments and 0 for a missing ReplicaSet. */
export function replicasOf(obj: { spec?: { replicas?: number } } | undefined, dflt = 1): number {
  return obj?.spec?.replicas ?? dflt;
}

/** createdAt is an object's creation time in ms (0 when unset). */
export function createdAt(o: KubeObject): number {
  return Date.parse(o.metadata.creationTimestamp ?? '') || 0;
}

/** byCreation sorts oldest first, ties by name (upstream ReplicaSetsByCreationTimestamp). */
export function byCreation<T extends KubeObject>(list: T[]): T[] {
  return [...list].sort((a, b) => createdAt(a) - createdAt(b) || compareStrings(a.metadata.name ?? '', b.metadata.name ?? ''));
}

/** specReplicas sums spec.replicas; statusReplicas, readyReplicas and availableReplicas sum status counts. */
export function specReplicas(list: (ReplicaSetObj | undefined)[]): number {
  return list.reduce((n, rs) => n + (rs ? replicasOf(rs, 0) : 0), 0);
}
export function statusReplicas(list: (ReplicaSetObj | undefined)[]): number {
  return list.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
}
export function readyReplicas(list: (ReplicaSetObj | undefined)[]): number {
  return list.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
}
export function availableReplicas(list: (ReplicaSetObj | undefined)[]): number {
  return list.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);
}

/** activeOf keeps ReplicaSets with spec.replicas > 0. */
export function activeOf(list: (ReplicaSetObj | undefined)[]): ReplicaSetObj[] {
  return list.filter((rs): rs is ReplicaSetObj => !!rs && replicasOf(rs, 0) > 0);
}
