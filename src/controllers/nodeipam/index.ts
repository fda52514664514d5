// SPDX-License-Identifier: Apache-2.0
/** nodeipam: pod CIDRs for Nodes from the cluster CIDR (upstream's node IPAM controller, range allocator). */
export { NodeIpamController, type NodeIpamControllerOptions } from './range-allocator.js';
export { subnets24, cidrContains } from './cidr-set.js';
