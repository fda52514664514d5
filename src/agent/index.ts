// SPDX-License-Identifier: Apache-2.0
/**
 * agent: what runs on a node (containerd, network safety routes, the
 * kubelet), as a server Component or the `skiff agent` process.
 */
export { NodeAgent } from './agent.js';
export type { NodeAgentOptions } from './agent.js';
export { nodePodCIDR } from './pod-cidr.js';
export { apiServerURLs, followAPIServers, refreshAPIServers } from './api-servers.js';
export { joinCluster, serverChainCA, JoinError, type JoinOptions, type JoinedNode } from './join.js';
export { housekeepingFromFlags, type KubeletFlagValues } from './kubelet-flags.js';
export { learnClusterNetwork, ClusterNetworkMismatch, DEFAULT_NETWORK } from './cluster-network.js';
