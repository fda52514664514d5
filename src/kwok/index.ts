// SPDX-License-Identifier: Apache-2.0
/**
 * Simulated nodes (KWOK-style): nodes whose "kubelet" is a few lines of
 * state machine in the server. Pods bound to them go Running without
 * containers. Used by `--simulated-nodes N`, by Nodes created with the
 * `skiff.dev/simulated: "true"` annotation, and by scale tests.
 */
import type { Client } from '../client/index.js';
import { asComponent, type Component } from '../machinery/index.js';
import { NodeSimulator, type SimulatedNodesOptions } from './node-simulator.js';

export { NodeSimulator, type SimulatedNodesOptions } from './node-simulator.js';
export { metricsFor, simulatedUsage, type SimulatedPodMetrics } from './metrics.js';
export { SIMULATED, SIMULATED_STOPPED, SIMULATED_EXIT_AFTER, SIMULATED_EXIT_CODE, SIMULATED_CPU, SIMULATED_MEMORY, isSimulated } from './annotations.js';
export { NODE_LEASE_NAMESPACE } from '../client/index.js';

/** simulatedNodes returns the simulator as a server Component. */
export function simulatedNodes(client: Client, opts: SimulatedNodesOptions): Component & { instance: NodeSimulator } {
  return asComponent('simulated-nodes', new NodeSimulator(client, opts));
}
