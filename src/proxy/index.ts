// SPDX-License-Identifier: Apache-2.0
/**
 * The Service proxy component (kube-proxy's role): ClusterIP, NodePort,
 * external IP and LoadBalancer Services as iptables rules on each node.
 * Other components import only this module.
 */
import type { Client } from '../client/index.js';
import { asComponent, type Component } from '../machinery/index.js';
import { ServiceProxy, type ServiceProxyOptions } from './service-proxy.js';

export { ServiceProxy, type ServiceProxyOptions } from './service-proxy.js';
export { ChainNames } from './chain-names.js';
export { renderRules, type RuleSet, type RuleConfig } from './proxy-rules.js';
export { servicePorts, type ServicePortInfo, type ProxyEndpoint } from './service-port.js';

/** serviceProxy returns a node's Service proxy as a server Component. */
export function serviceProxy(client: Client, opts: ServiceProxyOptions): Component & { instance: ServiceProxy } {
  return asComponent('service-proxy', new ServiceProxy(client, opts));
}
