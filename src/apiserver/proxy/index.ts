// SPDX-License-Identifier: Apache-2.0
/**
 * apiserver/proxy: the proxy subresources of services, pods and nodes
 * (upstream's ProxyREST with the registries' ResourceLocation).
 */
export { ResourceProxy, forwardedPath, type ResourceProxyOptions } from './resource-proxy.js';
export { splitSchemeNamePort, type ProxyId } from './proxy-id.js';
export { proxyRequest, proxyUpgrade, type TargetRequest } from './upgrade-aware-proxy.js';
