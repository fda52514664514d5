// SPDX-License-Identifier: Apache-2.0
/**
 * NodeUnschedulable: cordoned nodes (spec.unschedulable) take no new pods
 * unless the pod tolerates node.kubernetes.io/unschedulable:NoSchedule
 * (upstream nodeunschedulable/node_unschedulable.go).
 */
import { unresolvable, type Plugin } from '../framework/plugin.js';
import { tolerationsTolerateTaint } from '../../api/index.js';

/** NODE_UNSCHEDULABLE is upstream's ErrReasonUnschedulable. */
export const NODE_UNSCHEDULABLE = 'node(s) were unschedulable';

const unschedulableTaint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/** nodeUnschedulable is the NodeUnschedulable filter plugin. */
export const nodeUnschedulable: Plugin = {
  name: 'NodeUnschedulable',
  filter(_state, pod, node) {
    if (!node.node.spec?.unschedulable) return null;
    return tolerationsTolerateTaint(pod.pod.spec?.tolerations, unschedulableTaint) ? null : unresolvable(NODE_UNSCHEDULABLE);
  },
};
