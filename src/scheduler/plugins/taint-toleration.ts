// SPDX-License-Identifier: Apache-2.0
/**
 * TaintToleration: NoSchedule and NoExecute taints the pod does not
 * tolerate exclude the node; untolerated PreferNoSchedule taints lower its
 * score (upstream tainttoleration/taint_toleration.go).
 */
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { normalizeToMax, unresolvable, type Plugin } from '../framework/plugin.js';
import type { PodInfo } from '../framework/pod-info.js';
import { findUntoleratedTaint, tolerationsTolerateTaint } from '../../api/index.js';

const filterEffects = ['NoSchedule', 'NoExecute'];
/** PREFER_NO_SCHEDULE_TOLERATIONS is the cycle-state key of the pod's tolerations that count for scoring. */
const PREFER_NO_SCHEDULE_TOLERATIONS = 'TaintToleration/preScore';

/** untoleratedTaintReason is upstream's reason text for a taint the pod does not tolerate. */
export function untoleratedTaintReason(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
}

/** preferNoScheduleTolerations are the tolerations that count for scoring: without an effect or with PreferNoSchedule, as upstream's PreScore computes once per pod. */
function preferNoScheduleTolerations(pod: PodInfo): Toleration[] {
  return (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
}

/** taintToleration is the TaintToleration filter and score plugin. */
export const taintToleration: Plugin = {
  name: 'TaintToleration',
  filter(_state, pod, node) {
    if (node.taints.length === 0) return null;
    const taint = findUntoleratedTaint(node.taints, pod.pod.spec?.tolerations, filterEffects);
    return taint ? unresolvable(untoleratedTaintReason(taint)) : null;
  },
  preScore(state, pod) {
    state.set(PREFER_NO_SCHEDULE_TOLERATIONS, preferNoScheduleTolerations(pod));
  },
  score(state, pod, node) {
    if (node.taints.length === 0) return 0;
    const tolerations = (state.get(PREFER_NO_SCHEDULE_TOLERATIONS) as Toleration[] | undefined) ?? preferNoScheduleTolerations(pod);
    let n = 0;
    for (const taint of node.taints) if (taint.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tolerations, taint)) n++;
    return n;
  },
  normalizeScore(_state, _pod, scores) {
    normalizeToMax(scores, true);
  },
};
