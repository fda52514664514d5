// SPDX-License-Identifier: Apache-2.0
/**
 * The usage vocabulary of metrics.k8s.io/v1beta1 shared by the metrics API
 * and the HPA, and the interface through which simulated usage reaches them:
 * the simulated nodes (kwok) implement it and the server injects it, so
 * neither the API server nor the controllers depend on the simulator.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';

/** ContainerUsage is one container's entry in PodMetrics. */
export interface ContainerUsage {
  name: string;
  usage: { cpu: string; memory: string };
}

/** PodUsageReport is a PodMetrics body without apiVersion/kind/metadata. */
export interface PodUsageReport {
  timestamp: string;
  window: string;
  containers: ContainerUsage[];
}

/** SimulatedUsage reports what pods on simulated nodes claim to use. */
export interface SimulatedUsage {
  /** podUsage is a pod's usage now, or undefined when it is not running or reports nothing. */
  podUsage(pod: Pod, now?: Date): PodUsageReport | undefined;
  /** isSimulatedNode tells whether a node is simulated (its pods have no real usage to read). */
  isSimulatedNode(node: Node): boolean;
}
