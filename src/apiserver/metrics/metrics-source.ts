// SPDX-License-Identifier: Apache-2.0
/**
 * MetricsSource is where resource usage comes from (upstream's
 * metrics-server scrapes kubelets; Skiff also has simulated nodes). The
 * metrics API asks every registered source and merges their answers.
 */

/** ContainerUsage is one container's usage, in metrics.k8s.io quantities. */
export interface ContainerUsage {
  name: string;
  usage: { cpu: string; memory: string };
}

/** PodUsage is one pod's usage (metrics.k8s.io PodMetrics without its envelope). */
export interface PodUsage {
  namespace: string;
  name: string;
  timestamp: string;
  window: string;
  containers: ContainerUsage[];
}

/** NodeUsage is one node's usage (metrics.k8s.io NodeMetrics without its envelope). */
export interface NodeUsage {
  name: string;
  timestamp: string;
  window: string;
  usage: { cpu: string; memory: string };
}

/** MetricsSource reports usage; a source leaves out what it does not know about. */
export interface MetricsSource {
  /** podMetrics lists pods of one namespace, or of all when `namespace` is undefined. */
  podMetrics(namespace?: string): Promise<PodUsage[]>;
  nodeMetrics(): Promise<NodeUsage[]>;
}

/** cpuQuantity renders nanocores as metrics-server does ("12345n"). */
export function cpuQuantity(nanoCores: number): string {
  return `${Math.max(0, Math.round(nanoCores))}n`;
}

/** memoryQuantity renders bytes as metrics-server does ("1024Ki"). */
export function memoryQuantity(bytes: number): string {
  return `${Math.max(0, Math.round(bytes / 1024))}Ki`;
}
