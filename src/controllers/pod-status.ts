// SPDX-License-Identifier: Apache-2.0
/**
 * Reading pod status the way upstream's podutil does (k8s.io/kubernetes/pkg/api/v1/pod):
 * readiness from the Ready condition, availability as "ready for at least
 * minReadySeconds", activeness as "not finished and not being deleted".
 */
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';

/** readyCondition returns the pod's Ready condition, if reported. */
export function readyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** isPodReady is true when the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** isPodAvailable is true when the pod has been ready for at least minReadySeconds at time `now` (ms). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const c = readyCondition(pod);
  if (c?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  // Upstream treats a missing transition time as not yet available only when minReadySeconds > 0.
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= now;
}

/** isPodActive: neither Succeeded nor Failed, and not being deleted (upstream controller.IsPodActive). */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/** restartCount sums the restarts of a pod's containers. */
export function restartCount(pod: Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
}
