// SPDX-License-Identifier: Apache-2.0
/**
 * Cluster DNS: `<svc>.<ns>.svc.<zone>` and friends from the API, other
 * names forwarded to the node's resolvers. Other components import only
 * this module.
 */
import type { Client } from '../client/index.js';
import { asComponent, type Component } from '../machinery/index.js';
import { ClusterDNS, type ClusterDNSOptions } from './cluster-dns.js';

export { ClusterDNS, DEFAULT_CLUSTER_DNS_IP, type ClusterDNSOptions, type KubeDNSServiceOptions } from './cluster-dns.js';
export { ClusterZone, buildReverseIndex, RECORD_TTL, type ClusterView } from './cluster-records.js';
export { TYPE, RCODE, CLASS_IN, type DnsMessage, type ResourceRecord } from './dns-message.js';
export { decodeMessage } from './dns-decode.js';
export { encodeMessage } from './dns-encode.js';

/** clusterDNS returns the cluster DNS server as a server Component. */
export function clusterDNS(client: Client, opts: ClusterDNSOptions): Component & { instance: ClusterDNS } {
  return asComponent('cluster-dns', new ClusterDNS(client, opts));
}
