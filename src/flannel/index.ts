// SPDX-License-Identifier: Apache-2.0
/**
 * flannel: one pod network across nodes (VXLAN by default, host-gw as an
 * option), from the Node objects, as k3s embeds flannel. Others import only
 * this module.
 */
export { PodNetwork, type PodNetworkOptions } from './pod-network.js';
export { BACKENDS, ownAnnotations, peerOf, vtepMAC, type Backend, type Peer } from './backend-data.js';
export { podMTU, execRunner } from './links.js';
export { masqueradeRules } from './masquerade.js';
