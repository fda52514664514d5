// SPDX-License-Identifier: Apache-2.0
/**
 * Which pods a ReplicaSet deletes first when it scales down, in upstream's
 * order (pkg/controller/controller_utils.go ActivePodsWithRanks.Less):
 * unscheduled before scheduled; Pending before Unknown before Running; not
 * ready before ready; pods doubled up on a node with their siblings first;
 * more recently ready first; more restarts first; newer first.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodReady, readyCondition, restartCount } from '../pod-status.js';

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** podsToDelete picks the `count` pods to delete first; `related` are all active pods of the owner's family, for the colocation rank. */
export function podsToDelete<P extends Pod>(pods: P[], related: Pod[], count: number): P[] {
  if (count >= pods.length) return [...pods];
  const perNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName;
    if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const rank = (p: Pod): number => (p.spec?.nodeName ? perNode.get(p.spec.nodeName) ?? 0 : 0);
  return [...pods].sort((a, b) => comparePodsForDeletion(a, b, rank(a), rank(b))).slice(0, count);
}

/** comparePodsForDeletion is negative when a should be deleted before b. */
export function comparePodsForDeletion(a: Pod, b: Pod, rankA = 0, rankB = 0): number {
  const assignedA = a.spec?.nodeName ? 1 : 0;
  const assignedB = b.spec?.nodeName ? 1 : 0;
  if (assignedA !== assignedB) return assignedA - assignedB;
  const phaseA = PHASE_ORDER[a.status?.phase ?? 'Pending'] ?? 0;
  const phaseB = PHASE_ORDER[b.status?.phase ?? 'Pending'] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isPodReady(a) ? 1 : 0;
  const readyB = isPodReady(b) ? 1 : 0;
  if (readyA !== readyB) return readyA - readyB;
  if (rankA !== rankB) return rankB - rankA;
  if (readyA && readyB) {
    const ta = time(readyCondition(a)?.lastTransitionTime);
    const tb = time(readyCondition(b)?.lastTransitionTime);
    if (ta !== tb) return tb - ta;
  }
  const ra = restartCount(a);
  const rb = restartCount(b);
  if (ra !== rb) return rb - ra;
  const ca = time(a.metadata?.creationTimestamp);
  const cb = time(b.metadata?.creationTimestamp);
  if (ca !== cb) return cb - ca;
  return 0;
}

function time(s: string | undefined): number {
  const t = s ? Date.parse(s) : NaN;
  return Number.isNaN(t) ? 0 : t;
}
