// SPDX-License-Identifier: Apache-2.0
/**
 * NodeResourcesBalancedAllocation prefers nodes whose cpu and memory would
 * be used in equal shares after placing the pod: score = (1 - std) × 100
 * over the two fractions (upstream noderesources/balanced_allocation.go).
 */
import { MAX_NODE_SCORE, type Plugin } from '../framework/plugin.js';

function fraction(requested: number, allocatable: number): number {
  if (allocatable === 0) return 1;
  return Math.min(1, requested / allocatable);
}

/** balancedAllocation is the NodeResourcesBalancedAllocation score plugin. */
export const balancedAllocation: Plugin = {
  name: 'NodeResourcesBalancedAllocation',
  score(_state, pod, node): number {
    const cpu = fraction(node.requested.milliCPU + pod.requests.milliCPU, node.allocatable.milliCPU);
    const mem = fraction(node.requested.memory + pod.requests.memory, node.allocatable.memory);
    // For two values the standard deviation is half their distance.
    const std = Math.abs(cpu - mem) / 2;
    return Math.floor((1 - std) * MAX_NODE_SCORE);
  },
};
