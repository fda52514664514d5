// SPDX-License-Identifier: Apache-2.0
/**
 * Simulated resource usage for the metrics API (and so the HPA): a pod's
 * usage is what its SIMULATED_CPU / SIMULATED_MEMORY annotations say,
 * shared equally by its containers, in metrics.k8s.io/v1beta1 PodMetrics
 * shape.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../api/validation/quantity.js';
import { SIMULATED_CPU, SIMULATED_MEMORY } from './annotations.js';

/** ContainerUsage is one container's entry in PodMetrics. */
export interface ContainerUsage {
  name: string;
  usage: { cpu: string; memory: string };
}

/** SimulatedPodMetrics is a PodMetrics body without apiVersion/kind/metadata. */
export interface SimulatedPodMetrics {
  timestamp: string;
  window: string;
  containers: ContainerUsage[];
}

function share(q: string | undefined, n: number, unit: 'milli' | 'value'): string {
  if (!q || n === 0) return unit === 'milli' ? '0' : '0';
  let parsed;
  try {
    parsed = parseQuantity(q);
  } catch {
    return '0';
  }
  if (unit === 'milli') return `${Math.floor(parsed.milliValue() / n)}m`;
  return `${Math.floor(parsed.value() / n / 1024)}Ki`;
}

/**
 * metricsFor returns the simulated usage of a pod, or undefined when the pod
 * is not running (the metrics API leaves such pods out) or reports nothing.
 */
export function metricsFor(pod: Pod, now: Date = new Date()): SimulatedPodMetrics | undefined {
  if (pod.status?.phase !== 'Running') return undefined;
  const ann = pod.metadata?.annotations ?? {};
  if (ann[SIMULATED_CPU] === undefined && ann[SIMULATED_MEMORY] === undefined) return undefined;
  const containers = pod.spec?.containers ?? [];
  return {
    timestamp: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    window: '30s',
    containers: containers.map((c) => ({ name: c.name, usage: { cpu: share(ann[SIMULATED_CPU], containers.length, 'milli'), memory: share(ann[SIMULATED_MEMORY], containers.length, 'value') } })),
  };
}
