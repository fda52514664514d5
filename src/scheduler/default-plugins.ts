// SPDX-License-Identifier: Apache-2.0
/**
 * The default profile: which plugins filter and score, in upstream's
 * order and with upstream's score weights (pkg/scheduler/apis/config/v1
 * default_plugins.go). Cheap, decisive filters come first so most
 * rejected nodes are rejected early.
 */
import type { FrameworkOptions } from './framework/framework.js';
import type { Plugin } from './framework/plugin.js';
import { balancedAllocation } from './plugins/balanced-allocation.js';
import { imageLocality } from './plugins/image-locality.js';
import { interPodAffinity } from './plugins/inter-pod-affinity.js';
import { nodeAffinity } from './plugins/node-affinity.js';
import { nodeName } from './plugins/node-name.js';
import { nodePorts } from './plugins/node-ports.js';
import { nodeResourcesFit } from './plugins/node-resources-fit.js';
import { nodeUnschedulable } from './plugins/node-unschedulable.js';
import { podTopologySpread } from './plugins/pod-topology-spread.js';
import { taintToleration } from './plugins/taint-toleration.js';

/** defaultProfile returns the filter and score plugins of the default scheduler; volumeBinding (stateful: it reads claims) slots in after NodeResourcesFit, as upstream. */
export function defaultProfile(volumeBinding?: Plugin): Pick<FrameworkOptions, 'filters' | 'scorers'> {
  return {
    filters: [nodeUnschedulable, nodeName, taintToleration, nodeAffinity, nodePorts, nodeResourcesFit, ...(volumeBinding ? [volumeBinding] : []), podTopologySpread, interPodAffinity],
    scorers: [
      { plugin: taintToleration, weight: 3 },
      { plugin: nodeAffinity, weight: 2 },
      { plugin: podTopologySpread, weight: 2 },
      { plugin: nodeResourcesFit, weight: 1 },
      { plugin: balancedAllocation, weight: 1 },
      { plugin: imageLocality, weight: 1 },
    ],
  };
}
