// SPDX-License-Identifier: Apache-2.0
/**
 * Taint-based eviction (upstream pkg/controller/tainteviction): a pod on a
 * node with NoExecute taints is deleted at once if it does not tolerate
 * one of them, after the smallest tolerationSeconds of its matching
 * tolerations if all are tolerated for a while, and never if all are
 * tolerated forever.
 */
import type { Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { toleratesTaint } from '../../api/index.js';

/** EvictionDecision says what to do with a pod now. */
export type EvictionDecision = { action: 'keep' } | { action: 'evict' } | { action: 'wait'; at: number };

/** evictionDecision decides for one pod given its node's taints at `nowMs`. */
export function evictionDecision(pod: Pod, taints: readonly Taint[], nowMs: number): EvictionDecision {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return { action: 'keep' };
  const tolerations: readonly Toleration[] = pod.spec?.tolerations ?? [];
  let deadline = Infinity;
  for (const taint of noExecute) {
    const matching = tolerations.filter((t) => toleratesTaint(t, taint));
    if (matching.length === 0) return { action: 'evict' };
    // With several matching tolerations the shortest bound wins; one without a bound alone means "forever".
    const bounded = matching.filter((t) => t.tolerationSeconds !== undefined && t.tolerationSeconds !== null);
    if (bounded.length === 0) continue;
    const seconds = Math.max(0, Math.min(...bounded.map((t) => t.tolerationSeconds!)));
    const since = taint.timeAdded ? Date.parse(taint.timeAdded) : nowMs;
    deadline = Math.min(deadline, since + seconds * 1000);
  }
  if (deadline === Infinity) return { action: 'keep' };
  return deadline <= nowMs ? { action: 'evict' } : { action: 'wait', at: deadline };
}
