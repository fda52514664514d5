// SPDX-License-Identifier: Apache-2.0
/**
 * NodePorts: a hostPort can be used once per node and protocol; 0.0.0.0
 * conflicts with every address (upstream nodeports/node_ports.go).
 */
import { unschedulable, type Plugin } from '../framework/plugin.js';

/** NODE_PORTS_CONFLICT is upstream's ErrReason for NodePorts. */
export const NODE_PORTS_CONFLICT = "node(s) didn't have free ports for the requested pod ports";

/** nodePorts is the NodePorts filter plugin. */
export const nodePorts: Plugin = {
  name: 'NodePorts',
  filter(_state, pod, node) {
    for (const hp of pod.hostPorts) {
      const used = node.usedPorts.get(`${hp.protocol}/${hp.port}`);
      if (!used) continue;
      if (hp.ip === '0.0.0.0' || used.some((ip) => ip === hp.ip || ip === '0.0.0.0')) return unschedulable(NODE_PORTS_CONFLICT);
    }
    return null;
  },
};
