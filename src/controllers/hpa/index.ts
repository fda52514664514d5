// SPDX-License-Identifier: Apache-2.0
/** controllers/hpa: the HorizontalPodAutoscaler controller and its pluggable pod metrics sources. */
export { HorizontalController, DEFAULT_HPA_SYNC_PERIOD_MS, type HorizontalControllerOptions } from './hpa-controller.js';
export { ApiPodMetricsSource, SimulatedPodMetricsSource, FallbackPodMetricsSource, METRICS_PODS, type PodMetricsSource, type PodMetrics } from './pod-metrics.js';
