// SPDX-License-Identifier: Apache-2.0
/**
 * Writing a pod's status, as upstream's status manager syncPod does: skip
 * when nothing changed, PUT pods/status, on a conflict re-read and retry,
 * and give up quietly when the pod is gone or was replaced (another uid).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import { deepEqual } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import { isConflict, isNotFound } from '../machinery/index.js';

/** putPodStatus stores status as the pod's status. */
export async function putPodStatus(client: Client, pod: Pod, status: NonNullable<Pod['status']>): Promise<void> {
  if (deepEqual(pod.status ?? {}, status)) return;
  const ns = pod.metadata?.namespace;
  let current = pod as KubeObject;
  for (let i = 0; i < 3; i++) {
    try {
      await client.update(R.pods, { ...current, status } as KubeObject, { namespace: ns, subresource: 'status' });
      return;
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err)) throw err;
      current = await client.get(R.pods, pod.metadata?.name ?? '', { namespace: ns });
      if (current.metadata.uid !== pod.metadata?.uid) return;
    }
  }
}

/** KillRequest is a pod the kubelet fails on its own: eviction or admission refusal. */
export interface KillRequest {
  reason: string;
  message: string;
  /** disruption adds the DisruptionTarget condition upstream sets on pods it evicts (TerminationByKubelet). */
  disruption: boolean;
  /** gracePeriodSeconds the containers get to stop (default 0: at once; a soft eviction gives more). */
  gracePeriodSeconds?: number;
}

/** failedStatus turns a pod's status into a kubelet-failed one, as upstream's eviction and admission status functions. */
export function failedStatus(status: NonNullable<Pod['status']>, kill: KillRequest, nowIso: string): NonNullable<Pod['status']> {
  const conditions = (status.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget').map((c) => (c.type === 'Ready' || c.type === 'ContainersReady'
    ? { ...c, status: 'False', reason: 'PodFailed', lastTransitionTime: c.status === 'False' ? c.lastTransitionTime : nowIso }
    : c));
  if (kill.disruption) conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message: kill.message, lastTransitionTime: nowIso });
  return { ...status, phase: 'Failed', reason: kill.reason, message: kill.message, conditions };
}
