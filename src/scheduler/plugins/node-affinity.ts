// SPDX-License-Identifier: Apache-2.0
/**
 * NodeAffinity: nodeSelector and required node affinity filter nodes;
 * preferred terms add their weights to the score (upstream
 * nodeaffinity/node_affinity.go).
 */
import { normalizeToMax, unresolvable, type Plugin } from '../framework/plugin.js';
import { podMatchesNodeSelectorAndAffinity, preferredAffinityScore } from '../../api/index.js';

/** NODE_AFFINITY_MISMATCH is upstream's ErrReasonPod. */
export const NODE_AFFINITY_MISMATCH = "node(s) didn't match Pod's node affinity/selector";

/** nodeAffinity is the NodeAffinity filter and score plugin. */
export const nodeAffinity: Plugin = {
  name: 'NodeAffinity',
  filter(_state, pod, node) {
    return podMatchesNodeSelectorAndAffinity(pod.pod, node.node) ? null : unresolvable(NODE_AFFINITY_MISMATCH);
  },
  preScore(_state, pod) {
    if (!pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length) return 'skip';
  },
  score(_state, pod, node) {
    const terms = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    return terms ? preferredAffinityScore(terms, node.node) : 0;
  },
  normalizeScore(_state, _pod, scores) {
    normalizeToMax(scores, false);
  },
};
