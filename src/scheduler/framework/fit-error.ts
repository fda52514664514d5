// SPDX-License-Identifier: Apache-2.0
/**
 * The text of a scheduling failure, as upstream's FitError.Error
 * (pkg/scheduler/framework/types.go): "0/N nodes are available: " then
 * "<count> <reason>" pairs joined by ", " and sorted as strings (so the
 * count is part of the sort key, like Go's sort.Strings), then the
 * preemption message (which carries its own final period).
 */
import type { Failure } from './plugin.js';

/** NO_NODES_AVAILABLE is upstream's ErrNoNodesAvailable text, used when the cluster has no nodes at all. */
export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

/** Diagnosis records why each node was rejected for one pod. */
export interface Diagnosis {
  /** nodeFailures maps node name to the failure that rejected it. */
  nodeFailures: Map<string, Failure>;
  /** preFilterMsg is set when a preFilter rejected the pod outright. */
  preFilterMsg?: string;
  /** postFilterMsg is the preemption outcome ("preemption: ..."). */
  postFilterMsg?: string;
}

/** reasonHistogram counts reasons over nodes; nodes without a recorded failure count as `absent`. */
export function reasonHistogram(failures: Iterable<Failure>, absentCount = 0, absent?: string): string {
  const counts = new Map<string, number>();
  for (const f of failures) for (const r of f.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  if (absent && absentCount > 0) counts.set(absent, (counts.get(absent) ?? 0) + absentCount);
  const parts = [...counts].map(([reason, n]) => `${n} ${reason}`);
  // Go's sort.Strings compares bytes; JS default sort compares UTF-16 units, identical for these ASCII reasons.
  parts.sort();
  return parts.join(', ');
}

/** fitErrorMessage renders a Diagnosis over numAllNodes nodes as upstream's FitError.Error does. */
export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (d.preFilterMsg) {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    const hist = reasonHistogram(d.nodeFailures.values());
    if (hist) msg += ` ${hist}.`;
  }
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}`;
  return msg;
}
