// SPDX-License-Identifier: Apache-2.0
/**
 * apiserver/metrics: the metrics.k8s.io/v1beta1 API (`kubectl top`) over
 * pluggable usage sources — kubelets' /stats/summary and simulated nodes.
 */
export { metricsAPI } from './metrics-api.js';
export { KubeletMetricsSource } from './kubelet-metrics-source.js';
export { SimulatedMetricsSource } from './simulated-metrics-source.js';
export { cpuQuantity, memoryQuantity } from './metrics-source.js';
export type { MetricsSource, PodUsage, NodeUsage, ContainerUsage } from './metrics-source.js';
