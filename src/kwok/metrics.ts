// SPDX-License-Identifier: Apache-2.0
/**
 * Simulated resource usage for the metrics API (and so the HPA): a pod's
 * usage is what its SIMULATED_CPU / SIMULATED_MEMORY annotations say,
 * shared equally by its containers, in metrics.k8s.io/v1beta1 PodMetrics
 * shape.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../api/index.js';
import type { PodUsageReport, SimulatedUsage } from '../api/index.js';
import { SIMULATED_CPU, SIMULATED_MEMORY, isSimulated } from './annotations.js';
import { rfc3339 } from '../machinery/index.js';

/** SimulatedPodMetrics is a PodMetrics body without apiVersion/kind/metadata. */
export type SimulatedPodMetrics = PodUsageReport;

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
    timestamp: rfc3339(now),
    window: '30s',
    containers: containers.map((c) => ({ name: c.name, usage: { cpu: share(ann[SIMULATED_CPU], containers.length, 'milli'), memory: share(ann[SIMULATED_MEMORY], containers.length, 'value') } })),
  };
}

/** simulatedUsage is the simulator's answer to the metrics API and the HPA; the server injects it into both. */
export const simulatedUsage: SimulatedUsage = { podUsage: metricsFor, isSimulatedNode: isSimulated };
