// SPDX-License-Identifier: Apache-2.0
/**
 * `skiff agent --server URL --token TOKEN [--data-dir DIR] [--node-ip IP]`
 * joins this machine to a cluster as a node: it checks the server's CA
 * against the token's pin, gets a node certificate through a
 * CertificateSigningRequest made with the bootstrap token (agent/join.ts),
 * then runs the NodeAgent (containerd, routes, kubelet) with that identity.
 * A restart reuses the stored certificate. A bare `<id>.<secret>` token
 * needs `--discovery-token-ca-cert-hash sha256:<hex>` (as kubeadm join) or
 * `--ca-file`.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { hostname } from 'node:os';
import { parseCommandFlags } from './flags.js';
import type { HttpClient } from '../client/index.js';
import { NodeAgent, JoinError, ClusterNetworkMismatch, DEFAULT_NETWORK, followAPIServers, joinCluster, learnClusterNetwork, housekeepingFromFlags } from '../agent/index.js';
import { KUBELET_FLAGS, kubeletFlagValues } from './kubelet-flags.js';
import { releaseYoungGeneration } from './young-generation.js';
import { hostAddress } from '../server/index.js';
import { BACKENDS, type Backend } from '../flannel/index.js';
import { nthAddress } from '../api/index.js';
import { R } from '../client/index.js';
import type { KubeObject } from '../api/index.js';

/** runAgent runs a node agent until SIGTERM/SIGINT. */
export async function runAgent(args: string[]): Promise<void> {
  const flags = parseCommandFlags(
    args,
    {
      server: { type: 'string', usage: 'URL of the API server to join (required)' },
      token: { type: 'string', usage: 'join token from `skiff token create` (required)' },
      'data-dir': { type: 'string', default: '/var/lib/skiff-agent', usage: 'directory for the agent\'s credentials, containerd and pod state' },
      'ca-file': { type: 'string', usage: 'CA certificate of the cluster (default: verified through the token\'s CA hash)' },
      'discovery-token-ca-cert-hash': { type: 'string', usage: 'sha256:<hex> of the cluster CA\'s public key, for a bare <id>.<secret> token (as kubeadm join)' },
      'node-name': { type: 'string', usage: 'name of this Node (default: the host name)' },
      'node-ip': { type: 'string', usage: 'address other nodes reach this one at (default: the host\'s address)' },
      'cluster-cidr': { type: 'string', usage: 'IP range of pod IPs (default: the server\'s; must match it)' },
      'service-cidr': { type: 'string', usage: 'IP range of Service cluster IPs (default: the server\'s; must match it)' },
      'cluster-dns': { type: 'string', usage: 'address of the cluster DNS given to pods (default: the 10th address of the service range)' },
      'container-runtime-endpoint': { type: 'string', usage: 'CRI socket of an existing containerd (default: run one under the data dir)' },
      'cleanup-on-exit': { type: 'boolean', default: false, hidden: true },
      'flannel-backend': { type: 'string', usage: `pod network between nodes: ${BACKENDS.join(' or ')} (default: the server's; must match it)` },
      'node-lease-duration-seconds': { type: 'number', default: 40, usage: 'how long the node\'s Lease lasts; the kubelet renews it every quarter of that' },
      ...KUBELET_FLAGS,
    },
    { name: 'skiff agent', summary: 'Join this machine to a cluster as a node (kubelet, proxy) and run until stopped.' },
  );
  if (!flags.server || !flags.token) {
    process.stderr.write("skiff agent: --server and --token are required\nRun 'skiff agent --help' for usage.\n");
    process.exit(2);
  }
  if (flags['flannel-backend'] !== undefined && !BACKENDS.includes(String(flags['flannel-backend']) as Backend)) {
    process.stderr.write(`skiff agent: --flannel-backend must be one of ${BACKENDS.join(', ')}\n`);
    process.exit(2);
  }
  let housekeeping;
  try {
    housekeeping = housekeepingFromFlags(kubeletFlagValues(flags));
  } catch (err) {
    process.stderr.write(`skiff agent: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const dataDir = resolve(String(flags['data-dir']));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const log = (msg: string) => process.stderr.write(`${new Date().toISOString()} ${msg}\n`);
  const server = String(flags.server);
  const nodeName = flags['node-name'] ? String(flags['node-name']) : hostname().toLowerCase();
  const given = {
    podSubnet: flags['cluster-cidr'] === undefined ? undefined : String(flags['cluster-cidr']),
    serviceSubnet: flags['service-cidr'] === undefined ? undefined : String(flags['service-cidr']),
    backend: flags['flannel-backend'] === undefined ? undefined : String(flags['flannel-backend']),
  };
  // Before joining the pod range is not known yet: the default (or the flag) keeps pod bridges out of the pick.
  const hostIP = flags['node-ip'] ? String(flags['node-ip']) : hostAddress([given.podSubnet ?? DEFAULT_NETWORK.podSubnet]);
  const abort = new AbortController();
  let joined;
  try {
    joined = await joinCluster({
      server, token: String(flags.token), dataDir, nodeName, nodeAddresses: [hostIP],
      caFile: flags['ca-file'] ? String(flags['ca-file']) : undefined,
      caCertHash: flags['discovery-token-ca-cert-hash'] ? String(flags['discovery-token-ca-cert-hash']) : undefined,
      log, signal: abort.signal,
    });
  } catch (err) {
    if (!(err instanceof JoinError)) throw err;
    process.stderr.write(`skiff agent: ${err.message}\n`);
    process.exit(1);
  }
  const client = joined.client;
  let network;
  try {
    network = await learnClusterNetwork(client, given, log);
  } catch (err) {
    if (!(err instanceof ClusterNetworkMismatch)) throw err;
    process.stderr.write(`skiff agent: ${err.message}\n`);
    process.exit(1);
  }
  if (!BACKENDS.includes(network.backend as Backend)) {
    process.stderr.write(`skiff agent: the server's pod network backend ${network.backend} is not one of ${BACKENDS.join(', ')}\n`);
    process.exit(1);
  }
  log(`cluster network: pods ${network.podSubnet}, services ${network.serviceSubnet}, ${network.backend} between nodes`);
  const agent = new NodeAgent({
    client, networkClient: joined.networkClient, dataDir, nodeName, hostIP, servingCertificate: joined.servingCertificate,
    clusterCIDR: network.podSubnet, serviceCIDR: network.serviceSubnet,
    clusterDNS: flags['cluster-dns'] ? String(flags['cluster-dns']) : await clusterDNSAddress(client, network.serviceSubnet, log),
    flannelBackend: network.backend as Backend,
    // The kubelet renews its Lease every quarter of the lease duration, as upstream (40 s → 10 s).
    leaseRenewIntervalMs: Number(flags['node-lease-duration-seconds']) * 250,
    containerRuntimeEndpoint: flags['container-runtime-endpoint'] ? String(flags['container-runtime-endpoint']) : undefined,
    cleanupOnExit: Boolean(flags['cleanup-on-exit']), caCert: joined.caCert, housekeeping, log,
  });
  let stopping = false;
  const shutdown = (sig: string) => {
    if (stopping) return;
    stopping = true;
    log(`received ${sig}, stopping the agent`);
    abort.abort();
    agent.stop().then(() => process.exit(0), (err) => {
      log(`stop failed: ${(err as Error).message}`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    await agent.start(abort.signal);
    // Learn every API server and fail over between them (the one named by --server may die).
    followAPIServers(client, abort.signal, log, undefined, [joined.networkClient]);
    joined.startRotation(abort.signal);
    releaseYoungGeneration();
  } catch (err) {
    log(`agent failed to start: ${(err as Error).stack ?? err}`);
    await agent.stop().catch(() => undefined);
    process.exit(1);
  }
}

/**
 * clusterDNSAddress is the kube-dns Service's ClusterIP, so pods on a node
 * that joins later resolve through the same address as everyone else (k3s
 * passes it in the agent's config); the 10th address of the service CIDR
 * (upstream's and k3s's convention) when the server has no such Service.
 */
async function clusterDNSAddress(client: HttpClient, serviceCIDR: string, log: (m: string) => void): Promise<string> {
  try {
    const svc = await client.get<KubeObject & { spec?: { clusterIP?: string } }>(R.services, 'kube-dns', { namespace: 'kube-system' });
    if (svc.spec?.clusterIP) return svc.spec.clusterIP;
  } catch (err) {
    log(`cluster DNS: cannot read kube-system/kube-dns (${(err as Error).message}); using the service CIDR's 10th address`);
  }
  return nthAddress(serviceCIDR, 10);
}
