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
import { FlagError, parseFlags } from './flags.js';
import { NodeAgent, JoinError, joinCluster } from '../agent/index.js';
import { hostAddress } from '../server/index.js';

/** runAgent runs a node agent until SIGTERM/SIGINT. */
export async function runAgent(args: string[]): Promise<void> {
  let flags;
  try {
    flags = parseFlags(args, {
      server: { type: 'string' },
      token: { type: 'string' },
      'data-dir': { type: 'string', default: '/var/lib/skiff-agent' },
      'ca-file': { type: 'string' },
      'discovery-token-ca-cert-hash': { type: 'string' },
      'node-name': { type: 'string' },
      'node-ip': { type: 'string' },
      'cluster-cidr': { type: 'string', default: '10.42.0.0/16' },
      'service-cidr': { type: 'string', default: '10.43.0.0/16' },
      'cluster-dns': { type: 'string' },
      'container-runtime-endpoint': { type: 'string' },
      'cleanup-on-exit': { type: 'boolean', default: false },
    });
    if (!flags.server || !flags.token) throw new FlagError('--server and --token are required');
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`skiff agent: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const dataDir = resolve(String(flags['data-dir']));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const log = (msg: string) => process.stderr.write(`${new Date().toISOString()} ${msg}\n`);
  const server = String(flags.server);
  const nodeName = flags['node-name'] ? String(flags['node-name']) : hostname().toLowerCase();
  const hostIP = flags['node-ip'] ? String(flags['node-ip']) : hostAddress();
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
  const agent = new NodeAgent({
    client: joined.client, dataDir, nodeName, hostIP,
    clusterCIDR: String(flags['cluster-cidr']), serviceCIDR: String(flags['service-cidr']),
    clusterDNS: flags['cluster-dns'] ? String(flags['cluster-dns']) : undefined,
    containerRuntimeEndpoint: flags['container-runtime-endpoint'] ? String(flags['container-runtime-endpoint']) : undefined,
    cleanupOnExit: Boolean(flags['cleanup-on-exit']), caCert: joined.caCert, servingCertificate: joined.servingCertificate, log,
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
    joined.startRotation(abort.signal);
  } catch (err) {
    log(`agent failed to start: ${(err as Error).stack ?? err}`);
    await agent.stop().catch(() => undefined);
    process.exit(1);
  }
}
