// SPDX-License-Identifier: Apache-2.0
/**
 * The node network identity: what a node's service proxy and NetworkPolicy
 * enforcer use instead of the kubelet's credentials. Upstream runs
 * kube-proxy as `system:kube-proxy` (ClusterRole system:node-proxier) and
 * policy agents (Calico, kube-router) under a ServiceAccount of their own;
 * k3s hands each agent a separate kube-proxy client certificate. Skiff gives
 * each node `system:skiff-node-network:<node>` in the group
 * `system:skiff-node-network`, a client certificate from the well-known
 * signer `kubernetes.io/kube-apiserver-client` that the node asks for with
 * its own kubelet credentials.
 */
import type { ParsedRequest } from './kubelet-csr.js';

/** KUBE_APISERVER_CLIENT_SIGNER is the well-known signer of client certificates for the API server. */
export const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
export const NODE_NETWORK_USER_PREFIX = 'system:skiff-node-network:';
export const NODE_NETWORK_GROUP = 'system:skiff-node-network';

/** nodeNetworkSubject is the certificate subject of a node's network identity. */
export function nodeNetworkSubject(nodeName: string): { commonName: string; organizations: string[] } {
  return { commonName: `${NODE_NETWORK_USER_PREFIX}${nodeName}`, organizations: [NODE_NETWORK_GROUP] };
}

/**
 * apiServerClientUsageError checks the usages the kube-apiserver-client
 * signer accepts, as upstream's signer: client auth required, digital
 * signature and key encipherment optional, nothing else.
 */
export function apiServerClientUsageError(usages: string[]): string | undefined {
  const bad = usages.find((u) => !['digital signature', 'key encipherment', 'client auth'].includes(u));
  if (bad) return `invalid usage for client certificate: ${bad}`;
  if (!usages.includes('client auth')) return 'invalid usage for client certificate: missing required client auth';
  return undefined;
}

/**
 * nodeNetworkRequestNode is the node a request for a network identity is
 * for (undefined when it is not exactly such a request: subject
 * `system:skiff-node-network:<node>` in only that group, no SANs, client usages).
 */
export function nodeNetworkRequestNode(req: ParsedRequest, usages: string[]): string | undefined {
  if (req.organizations.length !== 1 || req.organizations[0] !== NODE_NETWORK_GROUP) return undefined;
  if (!req.commonName.startsWith(NODE_NETWORK_USER_PREFIX) || req.commonName === NODE_NETWORK_USER_PREFIX) return undefined;
  if (req.dnsNames.length || req.ipAddresses.length || req.otherNames) return undefined;
  if (apiServerClientUsageError(usages)) return undefined;
  return req.commonName.slice(NODE_NETWORK_USER_PREFIX.length);
}
