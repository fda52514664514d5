// SPDX-License-Identifier: Apache-2.0
/**
 * The status a simulated kubelet reports for a pod, as a pure function of
 * the pod, its addresses and the time: Running with every container
 * started; Ready at once, or after the readiness probe's initialDelaySeconds;
 * Succeeded/Failed after SIMULATED_EXIT_AFTER for pods that do not restart,
 * and Succeeded after a second for a Job's pods without that annotation (KWOK's default stages).
 * Field shapes follow what the kubelet writes (pkg/kubelet/status).
 */
import type { ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { SIMULATED_EXIT_AFTER, SIMULATED_EXIT_CODE } from './annotations.js';
import { parseDurationMs, rfc3339 } from '../machinery/index.js';

/** PodAddresses are the node and pod IPs of a simulated pod. */
export interface PodAddresses {
  hostIP: string;
  podIP: string;
}

/** DesiredPodStatus is the status to write and when it will next change by itself (ms since epoch). */
export interface DesiredPodStatus {
  status: PodStatus;
  nextChangeAt?: number;
}

/**
 * JOB_POD_COMPLETE_AFTER_MS is how long a Job's pod runs when no annotation
 * says otherwise: KWOK's default `pod-complete` stage completes pods owned by
 * a Job after about a second, so `kubectl create job` finishes on simulated nodes.
 */
export const JOB_POD_COMPLETE_AFTER_MS = 1000;

function exitPlan(pod: Pod): { afterMs: number; code: number } | undefined {
  if ((pod.spec?.restartPolicy ?? 'Always') === 'Always') return undefined;
  const annotated = parseDurationMs(pod.metadata?.annotations?.[SIMULATED_EXIT_AFTER]);
  const ownedByJob = (pod.metadata?.ownerReferences ?? []).some((o) => o.kind === 'Job' && o.apiVersion?.startsWith('batch/'));
  const afterMs = annotated ?? (ownedByJob ? JOB_POD_COMPLETE_AFTER_MS : undefined);
  if (afterMs === undefined) return undefined;
  return { afterMs, code: Number(pod.metadata?.annotations?.[SIMULATED_EXIT_CODE] ?? 0) || 0 };
}

function readyAt(pod: Pod, startMs: number): number {
  let delay = 0;
  for (const c of pod.spec?.containers ?? []) if (c.readinessProbe) delay = Math.max(delay, (c.readinessProbe.initialDelaySeconds ?? 0) * 1000);
  return startMs + delay;
}

function condition(type: string, ok: boolean, since: string, prev: readonly PodCondition[] | undefined, reason?: string): PodCondition {
  const status = ok ? 'True' : 'False';
  const old = prev?.find((c) => c.type === type);
  const c: PodCondition = { type, status, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : since };
  if (reason) c.reason = reason;
  return c;
}

/** desiredPodStatus computes the simulated kubelet's status for a pod at `nowMs`. */
export function desiredPodStatus(pod: Pod, addr: PodAddresses, nowMs: number): DesiredPodStatus {
  const prev = pod.status;
  const startMs = prev?.startTime ? Date.parse(prev.startTime) : nowMs;
  const start = rfc3339(startMs);
  const now = rfc3339(nowMs);
  const plan = exitPlan(pod);
  const exited = plan !== undefined && nowMs >= startMs + plan.afterMs;
  const readyMs = readyAt(pod, startMs);
  const ready = !exited && nowMs >= readyMs;
  const reason = exited ? 'PodCompleted' : ready ? undefined : 'ContainersNotReady';
  const containerStatuses: ContainerStatus[] = (pod.spec?.containers ?? []).map((c) => ({
    name: c.name,
    image: c.image ?? '',
    imageID: `simulated://${c.image ?? ''}`,
    containerID: `simulated://${pod.metadata?.uid ?? ''}/${c.name}`,
    ready,
    started: !exited,
    restartCount: 0,
    state: exited
      ? { terminated: { exitCode: plan!.code, reason: plan!.code === 0 ? 'Completed' : 'Error', startedAt: start, finishedAt: rfc3339(startMs + plan!.afterMs), containerID: `simulated://${pod.metadata?.uid ?? ''}/${c.name}` } }
      : { running: { startedAt: start } },
  }));
  const initContainerStatuses: ContainerStatus[] = (pod.spec?.initContainers ?? []).map((c) => ({
    name: c.name,
    image: c.image ?? '',
    imageID: `simulated://${c.image ?? ''}`,
    ready: true,
    restartCount: 0,
    state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: start, finishedAt: start } },
  }));
  const conds = prev?.conditions;
  const status: PodStatus = {
    ...prev,
    phase: exited ? (plan!.code === 0 ? 'Succeeded' : 'Failed') : 'Running',
    conditions: [
      condition('PodReadyToStartContainers', !exited, now, conds),
      condition('Initialized', true, start, conds, exited ? 'PodCompleted' : undefined),
      condition('Ready', ready, now, conds, reason),
      condition('ContainersReady', ready, now, conds, reason),
      condition('PodScheduled', true, start, conds),
    ],
    hostIP: addr.hostIP,
    hostIPs: [{ ip: addr.hostIP }],
    podIP: addr.podIP,
    podIPs: [{ ip: addr.podIP }],
    startTime: start,
    containerStatuses,
  };
  if (initContainerStatuses.length) status.initContainerStatuses = initContainerStatuses;
  let nextChangeAt: number | undefined;
  if (!exited && !ready) nextChangeAt = readyMs;
  if (plan && !exited) nextChangeAt = Math.min(nextChangeAt ?? Infinity, startMs + plan.afterMs);
  return { status, nextChangeAt };
}

/** terminatedStatus is the status the kubelet writes once it has killed a deleted pod's containers. */
export function terminatedStatus(pod: Pod, nowMs: number): PodStatus {
  const now = rfc3339(nowMs);
  return {
    ...pod.status,
    conditions: (pod.status?.conditions ?? []).map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', reason: 'PodCompleted', lastTransitionTime: now } : c)),
    containerStatuses: (pod.status?.containerStatuses ?? []).map((cs) => ({
      ...cs,
      ready: false,
      started: false,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: cs.state?.running?.startedAt ?? now, finishedAt: now, containerID: cs.containerID } },
    })),
  };
}
