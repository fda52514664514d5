// SPDX-License-Identifier: Apache-2.0
/**
 * Scheduling predicates several components evaluate the same way (upstream's
 * k8s.io/component-helpers/scheduling/corev1): taints and tolerations, node
 * selectors and required/preferred node affinity. The scheduler, the
 * DaemonSet and taint-eviction controllers and volume binding share them.
 */
export { toleratesTaint, tolerationsTolerateTaint, findUntoleratedTaint } from './tolerations.js';
export { requirementMatches, termMatches, podMatchesNodeSelectorAndAffinity, preferredAffinityScore } from './node-selector.js';
export { addResources, emptyResources, podNonZeroRequests, podRequests, toResources, type Resources } from './pod-resources.js';
