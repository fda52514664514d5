// SPDX-License-Identifier: Apache-2.0
/** What `skiff server` configures: SkiffServer's options, their defaults, and the default advertise address. */
import { networkInterfaces } from 'node:os';
import { BlockList, isIPv4 } from 'node:net';
import type { DatastoreOptions, StoreTuning } from '../storage/index.js';
import type { NodeAgentOptions } from '../agent/index.js';
import type { LeaderElectionTiming } from '../leaderelection/index.js';
import type { ManagedEtcdOptions } from './managed-etcd.js';

export interface SkiffServerOptions {
  dataDir: string;
  /** maxWatchesPerUser bounds the concurrent watches of one user (default 1000). */
  maxWatchesPerUser?: number;
  /** eventTTLMs is how long an Event lives after its last write (upstream --event-ttl, default 1h). */
  eventTTLMs?: number;
  httpsPort: number;
  bindAddress: string;
  serviceCIDR: string;
  clusterCIDR: string;
  nodePortRange: { min: number; max: number };
  datastoreEndpoint: string;
  /** join names a server of the cluster and its server token: this server fetches the shared secrets from it (--server, --token). */
  join?: { server: string; token: string };
  /** managedEtcd runs this server's own etcd member and uses it as the datastore (--cluster-init, --server/--token). */
  managedEtcd?: ManagedEtcdOptions;
  tlsSans: string[];
  advertiseAddress?: string;
  /** disableAgent runs the control plane without a node agent (--disable-agent). */
  disableAgent?: boolean;
  /** agent tunes the node agent (hidden test flags: back-off, cleanup on exit, node name, CRI endpoint). */
  agent?: Pick<NodeAgentOptions, 'crashBackoff' | 'imageBackoff' | 'cleanupOnExit' | 'nodeName' | 'containerRuntimeEndpoint' | 'kubeletPort' | 'flannelBackend' | 'housekeeping' | 'kubeletFlags'>;
  /** serviceLB publishes LoadBalancer Services at the Ready nodes' addresses (k3s ServiceLB; default on, false turns it off). */
  serviceLB?: boolean;
  /** ingress configures the built-in Ingress controller on the server's node; false turns it off. */
  ingress?: false | { httpPort?: number; httpsPort?: number; bindAddress?: string };
  /** dashboard serves the web UI at /ui/ and behind the kube-system/kubernetes-dashboard Service; false turns it off. */
  dashboard?: false | { port?: number };
  /** storage tunes history compaction (hidden flags, for tests of 410 Gone). */
  storage?: StoreTuning;
  /** datastore has the etcd client's TLS files and request deadline (--datastore-cafile/-certfile/-keyfile). */
  datastore?: Pick<DatastoreOptions, 'caFile' | 'certFile' | 'keyFile' | 'requestTimeoutMs'>;
  /** dnsPort is where cluster DNS listens on the node (default: a free port; pods reach it through 10.43.0.10:53). */
  dnsPort?: number;
  /** simulatedNodes is how many KWOK-style simulated nodes to run (--simulated-nodes). */
  simulatedNodes?: number;
  /** leaderElection shortens the controller manager's and scheduler's lease timings (--leader-elect-lease-duration, ...). */
  leaderElection?: LeaderElectionTiming;
  /** nodeMonitorGracePeriodMs: node silence after which it is marked Unknown (--node-monitor-grace-period). */
  nodeMonitorGracePeriodMs?: number;
  log: (msg: string) => void;
}

export const DEFAULT_SERVER_OPTIONS = {
  httpsPort: 6443,
  // All interfaces, as k3s: pods reach the API through the kubernetes Service; clients use 127.0.0.1.
  bindAddress: '0.0.0.0',
  serviceCIDR: '10.43.0.0/16',
  clusterCIDR: '10.42.0.0/16',
  nodePortRange: { min: 30000, max: 32767 },
  datastoreEndpoint: '',
  tlsSans: [] as string[],
};

/**
 * hostAddress picks the machine's first non-loopback IPv4 address, the
 * default advertise address, skipping addresses inside `excludeCIDRs` (the
 * cluster CIDR: a restarted node's CNI bridge and VXLAN device hold pod
 * network addresses that must never become its node address).
 */
export function hostAddress(excludeCIDRs: string[] = []): string {
  const excluded = new BlockList();
  for (const cidr of excludeCIDRs) {
    const [addr, bits] = cidr.split('/');
    if (isIPv4(addr ?? '')) excluded.addSubnet(addr, Number(bits), 'ipv4');
  }
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal && !excluded.check(a.address, 'ipv4')) return a.address;
  }
  return '127.0.0.1';
}
