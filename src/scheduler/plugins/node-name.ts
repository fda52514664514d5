// SPDX-License-Identifier: Apache-2.0
/** NodeName: a pod that names a node fits only that node (upstream nodename/node_name.go). */
import { unresolvable, type Plugin } from '../framework/plugin.js';

/** NODE_NAME_MISMATCH is upstream's ErrReason for NodeName. */
export const NODE_NAME_MISMATCH = "node(s) didn't match the requested node name";

/** nodeName is the NodeName filter plugin. */
export const nodeName: Plugin = {
  name: 'NodeName',
  filter(_state, pod, node) {
    const want = pod.pod.spec?.nodeName;
    return want && want !== node.name ? unresolvable(NODE_NAME_MISMATCH) : null;
  },
};
