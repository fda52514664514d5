// SPDX-License-Identifier: Apache-2.0
/**
 * Node health as the node lifecycle controller judges it (upstream
 * pkg/controller/nodelifecycle): a node whose Lease and Ready heartbeat are
 * both older than the grace period has stopped posting status, so its
 * conditions become Unknown; its Ready condition decides its taints.
 */
import type { Node, NodeCondition, Taint } from 'kubernetes-types/core/v1.js';
import { NOT_READY_TAINT, UNREACHABLE_TAINT } from './default-tolerations.js';
import { rfc3339 } from '../../machinery/index.js';

/** NODE_STATUS_UNKNOWN and its message are upstream's texts for a silent kubelet. */
export const NODE_STATUS_UNKNOWN = 'NodeStatusUnknown';
export const KUBELET_STOPPED_MESSAGE = 'Kubelet stopped posting node status.';
/** NODE_STATUS_NEVER_UPDATED and its message are upstream's texts for a condition the kubelet never posted. */
export const NODE_STATUS_NEVER_UPDATED = 'NodeStatusNeverUpdated';
export const KUBELET_NEVER_POSTED_MESSAGE = 'Kubelet never posted node status.';
/** The conditions the controller marks Unknown (the kubelet's own). */
const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** lastHeartbeatMs is the latest sign of life: the lease's renewTime, the Ready heartbeat, or the node's creation. */
export function lastHeartbeatMs(node: Node, leaseRenewTime: string | undefined): number {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const times = [leaseRenewTime, ready?.lastHeartbeatTime, node.metadata?.creationTimestamp].map((t) => (t ? Date.parse(t) : 0));
  return Math.max(...times);
}

/** readyStatus is the node's Ready condition status ('Unknown' when absent). */
export function readyStatus(node: Node): string {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
}

/**
 * unknownConditions returns the conditions with every kubelet condition set
 * to Unknown (kept as they are when already Unknown), or undefined when
 * nothing changes.
 */
export function unknownConditions(node: Node, nowMs: number): NodeCondition[] | undefined {
  const now = rfc3339(nowMs);
  const conds = [...(node.status?.conditions ?? [])];
  let changed = false;
  for (const type of KUBELET_CONDITIONS) {
    const i = conds.findIndex((c) => c.type === type);
    if (i >= 0 && conds[i].status === 'Unknown') continue;
    changed = true;
    const prev = i >= 0 ? conds[i] : undefined;
    // A condition the kubelet never posted says so, with the node's creation as its heartbeat (upstream tryUpdateNodeHealth).
    const next: NodeCondition = prev
      ? { type, status: 'Unknown', reason: NODE_STATUS_UNKNOWN, message: KUBELET_STOPPED_MESSAGE, lastHeartbeatTime: prev.lastHeartbeatTime ?? now, lastTransitionTime: now }
      : { type, status: 'Unknown', reason: NODE_STATUS_NEVER_UPDATED, message: KUBELET_NEVER_POSTED_MESSAGE, lastHeartbeatTime: node.metadata?.creationTimestamp ?? now, lastTransitionTime: now };
    if (i >= 0) conds[i] = next;
    else conds.push(next);
  }
  return changed ? conds : undefined;
}

/**
 * PRESSURE_TAINTS are the NoSchedule taints upstream's TaintNodesByCondition
 * (nodeConditionToTaintKeyStatusMap) puts on a node while the kubelet
 * reports the condition True.
 */
export const PRESSURE_TAINTS: Record<string, string> = {
  MemoryPressure: 'node.kubernetes.io/memory-pressure',
  DiskPressure: 'node.kubernetes.io/disk-pressure',
  PIDPressure: 'node.kubernetes.io/pid-pressure',
};

/**
 * desiredTaints returns the node's taints with the not-ready/unreachable
 * NoSchedule and NoExecute taints matching its Ready condition and the
 * pressure NoSchedule taints matching its pressure conditions, or
 * undefined when they already match. NoExecute taints carry timeAdded,
 * which taint-based eviction counts tolerationSeconds from.
 */
export function desiredTaints(node: Node, nowMs: number): Taint[] | undefined {
  const status = readyStatus(node);
  const want = status === 'False' ? NOT_READY_TAINT : status === 'Unknown' ? UNREACHABLE_TAINT : undefined;
  const pressure = Object.entries(PRESSURE_TAINTS)
    .filter(([type]) => node.status?.conditions?.some((c) => c.type === type && c.status === 'True'))
    .map(([, key]) => key);
  const current = node.spec?.taints ?? [];
  const pressureKeys = new Set(Object.values(PRESSURE_TAINTS));
  const ours = (t: Taint) => t.key === NOT_READY_TAINT || t.key === UNREACHABLE_TAINT;
  const have = current.filter(ours);
  const havePressure = current.filter((t) => pressureKeys.has(t.key));
  const readyOk = want ? have.length === 2 && have.every((t) => t.key === want) && have.some((t) => t.effect === 'NoExecute') && have.some((t) => t.effect === 'NoSchedule') : have.length === 0;
  const pressureOk = havePressure.length === pressure.length && havePressure.every((t) => t.effect === 'NoSchedule' && pressure.includes(t.key));
  if (readyOk && pressureOk) return undefined;
  const next = current.filter((t) => !ours(t) && !pressureKeys.has(t.key));
  if (want) {
    next.push({ key: want, effect: 'NoSchedule' });
    const prevNoExecute = have.find((t) => t.key === want && t.effect === 'NoExecute');
    next.push({ key: want, effect: 'NoExecute', timeAdded: prevNoExecute?.timeAdded ?? rfc3339(nowMs) });
  }
  for (const key of pressure) next.push({ key, effect: 'NoSchedule' });
  return next;
}
