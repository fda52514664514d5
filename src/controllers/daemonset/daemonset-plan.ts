// SPDX-License-Identifier: Apache-2.0
/**
 * What a DaemonSet sync should do, as pure functions of the cache, after
 * upstream daemon_controller.go (podsShouldBeOnNode, updateDaemonSetStatus)
 * and update.go (rollingUpdate): which nodes get a pod, which pods go, and
 * the status counts.
 */
import type { DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import { scaledValue } from '../deployment/rolling-update-limits.js';
import { isPodAvailable, isPodReady } from '../pod-status.js';
import { isUpdated, nodeShouldRunDaemonPod, type DaemonSetObj, type NodeObj, type PodObj, type Placement } from './daemon-pod.js';
import { compareStrings } from '../../machinery/index.js';

/** NodePlan is what to change: nodes to create a pod on, pods to delete, failed pods among them. */
export interface NodePlan {
  create: string[];
  delete: PodObj[];
  failed: PodObj[];
}

/** NodeState is one node with its placement and daemon pods (not yet deleted). */
export interface NodeState {
  node: NodeObj;
  placement: Placement;
  pods: PodObj[];
}

/** nodeStates pairs every node with its placement and the DaemonSet's pods targeting it. */
export function nodeStates(ds: DaemonSetObj, nodes: readonly NodeObj[], podsByNode: Map<string, PodObj[]>): NodeState[] {
  return nodes.map((node) => ({ node, placement: nodeShouldRunDaemonPod(node, ds), pods: podsByNode.get(node.metadata.name!) ?? [] }));
}

/** byScheduledThenAge sorts scheduled pods first, then oldest, then by name (upstream podByCreationTimestampAndPhase). */
export function byScheduledThenAge(a: PodObj, b: PodObj): number {
  const sa = a.spec?.nodeName ? 0 : 1;
  const sb = b.spec?.nodeName ? 0 : 1;
  if (sa !== sb) return sa - sb;
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  return ta - tb || compareStrings(a.metadata.name ?? '', b.metadata.name ?? '');
}

/** resolveLimits resolves maxSurge and maxUnavailable against the desired count, both rounded up; both zero means one unavailable (upstream SurgeCount, UnavailableCount). */
export function resolveLimits(ds: DaemonSetObj, desired: number): { maxSurge: number; maxUnavailable: number } {
  const ru = ds.spec?.updateStrategy?.type === 'OnDelete' ? undefined : ds.spec?.updateStrategy?.rollingUpdate;
  const maxSurge = scaledValue(ru?.maxSurge, desired, true, '0');
  let maxUnavailable = scaledValue(ru?.maxUnavailable, desired, true, '1');
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/** planNodes decides creations and deletions so each eligible node runs one pod (upstream podsShouldBeOnNode). */
export function planNodes(ds: DaemonSetObj, states: readonly NodeState[], hash: string, now: number): NodePlan {
  const plan: NodePlan = { create: [], delete: [], failed: [] };
  const { maxSurge } = resolveLimits(ds, states.length);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  for (const { node, placement, pods } of states) {
    const live = pods.filter((p) => !p.metadata.deletionTimestamp);
    if (!placement.shouldContinueRunning) {
      plan.delete.push(...live);
      continue;
    }
    const failed = live.filter((p) => p.status?.phase === 'Failed');
    plan.failed.push(...failed);
    plan.delete.push(...failed);
    const running = live.filter((p) => p.status?.phase !== 'Failed').sort(byScheduledThenAge);
    if (running.length === 0) {
      if (placement.shouldRun) plan.create.push(node.metadata.name!);
      continue;
    }
    if (maxSurge === 0) {
      plan.delete.push(...running.slice(1));
      continue;
    }
    // With surge, a node may briefly run one old and one new pod; the old one goes once the new one is available.
    let oldestNew: PodObj | undefined;
    let oldestOld: PodObj | undefined;
    for (const p of running) {
      if (isUpdated(p, hash) && !oldestNew) oldestNew = p;
      else if (!isUpdated(p, hash) && !oldestOld) oldestOld = p;
      else plan.delete.push(p);
    }
    if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, minReady, now))) plan.delete.push(oldestOld);
  }
  return plan;
}

/** newAndOld finds a node's updated and old pod; ok is false when either is duplicated (upstream findUpdatedPodsOnNode). */
function newAndOld(pods: readonly PodObj[], hash: string): { newPod?: PodObj; oldPod?: PodObj; ok: boolean } {
  let newPod: PodObj | undefined;
  let oldPod: PodObj | undefined;
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue;
    if (isUpdated(p, hash)) {
      if (newPod) return { ok: false };
      newPod = p;
    } else {
      if (oldPod) return { ok: false };
      oldPod = p;
    }
  }
  return { newPod, oldPod, ok: true };
}

/**
 * planRollingUpdate replaces old pods within maxUnavailable (delete first)
 * or maxSurge (create first), as upstream's rollingUpdate. Old pods that
 * are not available anyway are replaced at once.
 */
export function planRollingUpdate(ds: DaemonSetObj, states: readonly NodeState[], hash: string, now: number): { create: string[]; delete: PodObj[] } {
  const eligible = states.filter((s) => s.placement.shouldRun);
  const { maxSurge, maxUnavailable } = resolveLimits(ds, eligible.length);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const available = (p: PodObj): boolean => isPodAvailable(p, minReady, now);
  const allowed: PodObj[] = [];
  const candidates: PodObj[] = [];
  const allowedNodes: string[] = [];
  const candidateNodes: string[] = [];
  const deleteNow: PodObj[] = [];
  let busy = 0;
  for (const { node, pods } of eligible) {
    const { newPod, oldPod, ok } = newAndOld(pods, hash);
    if (!ok) {
      busy++;
    } else if (maxSurge === 0) {
      if (!oldPod) {
        if (!newPod || !available(newPod)) busy++;
      } else if (!available(oldPod)) {
        busy++;
        allowed.push(oldPod);
      } else {
        candidates.push(oldPod);
      }
    } else if (oldPod && !newPod) {
      (available(oldPod) ? candidateNodes : allowedNodes).push(node.metadata.name!);
    } else if (oldPod && newPod) {
      if (available(newPod)) deleteNow.push(oldPod);
      else busy++;
    }
  }
  if (maxSurge === 0) {
    const room = Math.min(Math.max(0, maxUnavailable - busy), candidates.length);
    return { create: [], delete: [...allowed, ...candidates.slice(0, room)] };
  }
  const room = Math.min(Math.max(0, maxSurge - busy), candidateNodes.length);
  return { create: [...allowedNodes, ...candidateNodes.slice(0, room)], delete: deleteNow };
}

/** computeStatus counts scheduled, ready, available, updated and misscheduled pods (upstream updateDaemonSetStatus). */
export function computeStatus(ds: DaemonSetObj, states: readonly NodeState[], hash: string, now: number): DaemonSetStatus {
  const s: DaemonSetStatus = { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0 };
  const minReady = ds.spec?.minReadySeconds ?? 0;
  for (const { placement, pods } of states) {
    const live = pods.filter((p) => !p.metadata.deletionTimestamp);
    if (!placement.shouldRun) {
      if (live.length > 0) s.numberMisscheduled++;
      continue;
    }
    s.desiredNumberScheduled++;
    if (live.length === 0) continue;
    s.currentNumberScheduled++;
    const pod = [...live].sort(byScheduledThenAge)[0];
    if (isPodReady(pod)) {
      s.numberReady++;
      if (isPodAvailable(pod, minReady, now)) s.numberAvailable!++;
    }
    if (live.some((p) => isUpdated(p, hash))) s.updatedNumberScheduled!++;
  }
  s.numberUnavailable = Math.max(0, s.desiredNumberScheduled - s.numberAvailable!);
  s.observedGeneration = ds.metadata.generation ?? 0;
  return s;
}
