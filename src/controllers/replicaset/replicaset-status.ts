// SPDX-License-Identifier: Apache-2.0
/**
 * ReplicaSet status as upstream computes it (pkg/controller/replicaset/replica_set_utils.go
 * calculateStatus): counts of owned active pods, fully labeled, ready and
 * available ones, and a ReplicaFailure condition while creating or deleting
 * pods fails.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { deepEqual, type KubeObject } from '../../api/index.js';
import { isPodAvailable, isPodReady } from '../pod-status.js';
import { rfc3339 } from '../../machinery/index.js';

/** ReplicaSetCondition is one entry of status.conditions. */
export interface ReplicaSetCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** ReplicaSetStatus is the status a ReplicaSet (or ReplicationController) reports. */
export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

interface SetLike {
  spec?: { minReadySeconds?: number; template?: { metadata?: { labels?: Record<string, string> } } };
  status?: Partial<ReplicaSetStatus>;
}

/** calculateStatus derives the status from the owned active pods and the last manageReplicas error. */
export function calculateStatus(set: KubeObject, pods: Pod[], manageErr: unknown, now: number): ReplicaSetStatus {
  const s = set as unknown as SetLike;
  const tplLabels = s.spec?.template?.metadata?.labels ?? {};
  const minReady = s.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of pods) {
    const labels = p.metadata?.labels ?? {};
    if (Object.entries(tplLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  const status: ReplicaSetStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: set.metadata.generation,
  };
  const conditions = (s.status?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
  const failure = (s.status?.conditions ?? []).find((c) => c.type === 'ReplicaFailure');
  if (manageErr) {
    const want = ((set.spec as { replicas?: number } | undefined)?.replicas ?? 1);
    const reason = pods.length < want ? 'FailedCreate' : 'FailedDelete';
    const message = (manageErr as Error).message;
    // Keep the transition time while the same failure persists, as upstream's SetCondition does.
    const keep = failure && failure.reason === reason && failure.message === message;
    conditions.push(keep ? failure : { type: 'ReplicaFailure', status: 'True', lastTransitionTime: rfc3339(now), reason, message });
  }
  if (conditions.length > 0) status.conditions = conditions;
  return status;
}

/** statusChanged is true when the computed status differs from what the object reports. */
export function statusChanged(set: KubeObject, status: ReplicaSetStatus): boolean {
  const cur = (set.status ?? {}) as Partial<ReplicaSetStatus>;
  return (
    (cur.replicas ?? 0) !== status.replicas ||
    (cur.fullyLabeledReplicas ?? 0) !== status.fullyLabeledReplicas ||
    (cur.readyReplicas ?? 0) !== status.readyReplicas ||
    (cur.availableReplicas ?? 0) !== status.availableReplicas ||
    cur.observedGeneration !== status.observedGeneration ||
    !deepEqual(cur.conditions ?? [], status.conditions ?? [])
  );
}
