// SPDX-License-Identifier: Apache-2.0
/**
 * The kubelet's `/stats/summary` answer, reduced to what metrics.k8s.io
 * needs (k8s.io/kubelet/pkg/apis/stats/v1alpha1 Summary): the kubelet
 * serves it and the API server's metrics source reads it.
 */

/** CPUStats: an instantaneous rate and the cumulative total. */
export interface CPUStats {
  time: string;
  usageNanoCores: number;
  usageCoreNanoSeconds: number;
}

/** MemoryStats: the working set is what metrics and eviction use. */
export interface MemoryStats {
  time: string;
  workingSetBytes: number;
  usageBytes?: number;
  availableBytes?: number;
}

/** ContainerStatsSummary is one container's usage. */
export interface ContainerStatsSummary {
  name: string;
  cpu: CPUStats;
  memory: MemoryStats;
}

/** PodStatsSummary is one pod's usage with its containers. */
export interface PodStatsSummary {
  podRef: { name: string; namespace: string; uid: string };
  cpu: CPUStats;
  memory: MemoryStats;
  containers: ContainerStatsSummary[];
}

/** StatsSummary is the answer of GET /stats/summary. */
export interface StatsSummary {
  node: { nodeName: string; cpu: CPUStats; memory: MemoryStats };
  pods: PodStatsSummary[];
}
