// SPDX-License-Identifier: Apache-2.0
/**
 * The node lifecycle controller: node heartbeat monitoring, condition and
 * taint management, and taint-based eviction, plus the
 * DefaultTolerationSeconds admission function the API server calls.
 */
import type { Client } from '../../client/index.js';
import { asComponent, type Component } from '../../machinery/index.js';
import { NodeLifecycleController, type NodeLifecycleOptions } from './node-lifecycle-controller.js';

export { NodeLifecycleController, type NodeLifecycleOptions } from './node-lifecycle-controller.js';
export { defaultTolerations, DEFAULT_TOLERATION_SECONDS, NOT_READY_TAINT, UNREACHABLE_TAINT } from './default-tolerations.js';
export { evictionDecision, type EvictionDecision } from './taint-eviction.js';
export { KUBELET_NEVER_POSTED_MESSAGE, KUBELET_STOPPED_MESSAGE, NODE_STATUS_NEVER_UPDATED, NODE_STATUS_UNKNOWN } from './node-health.js';

/** nodeLifecycleController returns the controller as a server Component. */
export function nodeLifecycleController(client: Client, opts: NodeLifecycleOptions = {}): Component & { instance: NodeLifecycleController } {
  return asComponent('node-lifecycle-controller', new NodeLifecycleController(client, opts));
}
