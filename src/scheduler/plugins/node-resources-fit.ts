// SPDX-License-Identifier: Apache-2.0
/**
 * NodeResourcesFit: the pod's requests must fit in the node's allocatable
 * minus what its pods already request (upstream noderesources/fit.go), and
 * the LeastAllocated score prefers emptier nodes (least_allocated.go).
 */
import type { NodeInfo } from '../framework/node-info.js';
import { MAX_NODE_SCORE, unschedulable, type Failure, type Plugin } from '../framework/plugin.js';
import type { PodInfo } from '../framework/pod-info.js';

/** TOO_MANY_PODS is upstream's reason when the node's pod count is exhausted. */
export const TOO_MANY_PODS = 'Too many pods';

/** insufficient is upstream's "Insufficient <resource>" reason. */
export function insufficient(resource: string): string {
  return `Insufficient ${resource}`;
}

/** fitFailureReasons lists every resource the pod does not fit on the node for (empty: it fits). */
export function fitFailureReasons(pod: PodInfo, node: NodeInfo): string[] {
  const reasons: string[] = [];
  if (node.pods.size + 1 > node.allowedPodNumber) reasons.push(TOO_MANY_PODS);
  const req = pod.requests;
  const free = node.allocatable;
  const used = node.requested;
  if (req.milliCPU > 0 && req.milliCPU > free.milliCPU - used.milliCPU) reasons.push(insufficient('cpu'));
  if (req.memory > 0 && req.memory > free.memory - used.memory) reasons.push(insufficient('memory'));
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > free.ephemeralStorage - used.ephemeralStorage) reasons.push(insufficient('ephemeral-storage'));
  for (const [name, amount] of req.scalar) {
    if (amount > 0 && amount > (free.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) reasons.push(insufficient(name));
  }
  return reasons;
}

/** fits is fitFailureReasons(...).length === 0 without building the list: Filter runs on hundreds of nodes per pod, and nearly all of them fit. */
export function fits(pod: PodInfo, node: NodeInfo): boolean {
  if (node.pods.size + 1 > node.allowedPodNumber) return false;
  const req = pod.requests;
  const free = node.allocatable;
  const used = node.requested;
  if (req.milliCPU > 0 && req.milliCPU > free.milliCPU - used.milliCPU) return false;
  if (req.memory > 0 && req.memory > free.memory - used.memory) return false;
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > free.ephemeralStorage - used.ephemeralStorage) return false;
  // Most pods request no extended resources: skip making a Map iterator per node (it is garbage the next moment).
  if (req.scalar.size === 0) return true;
  for (const [name, amount] of req.scalar) {
    if (amount > 0 && amount > (free.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) return false;
  }
  return true;
}

/** leastAllocatedScore scores one resource: the share left free after placing the pod, 0..100. */
function leastAllocated(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** nodeResourcesFit is the NodeResourcesFit plugin (filter, and the LeastAllocated score over cpu and memory with weight 1 each). */
export const nodeResourcesFit: Plugin = {
  name: 'NodeResourcesFit',
  filter(_state, pod, node): Failure | null {
    if (fits(pod, node)) return null;
    return unschedulable(...fitFailureReasons(pod, node));
  },
  score(_state, pod, node): number {
    const cpu = leastAllocated(node.nonZeroRequested.milliCPU + pod.nonZero.milliCPU, node.allocatable.milliCPU);
    const mem = leastAllocated(node.nonZeroRequested.memory + pod.nonZero.memory, node.allocatable.memory);
    return Math.floor((cpu + mem) / 2);
  },
};
