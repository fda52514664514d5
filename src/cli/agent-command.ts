// SPDX-License-Identifier: Apache-2.0
/**
 * `skiff agent --server URL --token TOKEN --data-dir DIR` joins this machine
 * to a cluster as a node: the NodeAgent (containerd, routes, kubelet) talking
 * to the server over HTTPS with the join token as bearer token. The server's
 * CA comes from --ca-file, else from the server's own TLS chain on first
 * contact (trust on first use), saved to DIR/server-ca.crt for later starts.
 */
import { connect } from 'node:tls';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCommandFlags } from './flags.js';
import { HttpClient } from '../client/index.js';
import { NodeAgent } from '../agent/index.js';
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
      'node-name': { type: 'string', usage: 'name of this Node (default: the host name)' },
      'node-ip': { type: 'string', usage: 'address other nodes reach this one at (default: the host\'s address)' },
      'cluster-cidr': { type: 'string', default: '10.42.0.0/16', usage: 'IP range of pod IPs (must match the server)' },
      'service-cidr': { type: 'string', default: '10.43.0.0/16', usage: 'IP range of Service cluster IPs (must match the server)' },
      'cluster-dns': { type: 'string', usage: 'address of the cluster DNS given to pods (default: the 10th address of the service range)' },
      'container-runtime-endpoint': { type: 'string', usage: 'CRI socket of an existing containerd (default: run one under the data dir)' },
      'cleanup-on-exit': { type: 'boolean', default: false, hidden: true },
      'flannel-backend': { type: 'string', default: 'vxlan', usage: `pod network between nodes: ${BACKENDS.join(' or ')} (host-gw needs every node on one L2 segment)` },
      'node-lease-duration-seconds': { type: 'number', default: 40, usage: 'how long the node\'s Lease lasts; the kubelet renews it every quarter of that' },
    },
    { name: 'skiff agent', summary: 'Join this machine to a cluster as a node (kubelet, proxy) and run until stopped.' },
  );
  if (!flags.server || !flags.token) {
    process.stderr.write("skiff agent: --server and --token are required\nRun 'skiff agent --help' for usage.\n");
    process.exit(2);
  }
  if (!BACKENDS.includes(String(flags['flannel-backend']) as Backend)) {
    process.stderr.write(`skiff agent: --flannel-backend must be one of ${BACKENDS.join(', ')}\n`);
    process.exit(2);
  }
  const dataDir = resolve(String(flags['data-dir']));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const log = (msg: string) => process.stderr.write(`${new Date().toISOString()} ${msg}\n`);
  const server = String(flags.server);
  const ca = flags['ca-file'] ? readFileSync(String(flags['ca-file'])) : await serverCA(server, join(dataDir, 'server-ca.crt'), log);
  const client = new HttpClient({ server, ca, token: String(flags.token) });
  const agent = new NodeAgent({
    client, dataDir, nodeName: flags['node-name'] ? String(flags['node-name']) : undefined,
    hostIP: flags['node-ip'] ? String(flags['node-ip']) : hostAddress([String(flags['cluster-cidr'])]),
    clusterCIDR: String(flags['cluster-cidr']), serviceCIDR: String(flags['service-cidr']),
    clusterDNS: flags['cluster-dns'] ? String(flags['cluster-dns']) : await clusterDNSAddress(client, String(flags['service-cidr']), log),
    flannelBackend: String(flags['flannel-backend']) as Backend,
    // The kubelet renews its Lease every quarter of the lease duration, as upstream (40 s → 10 s).
    leaseRenewIntervalMs: Number(flags['node-lease-duration-seconds']) * 250,
    containerRuntimeEndpoint: flags['container-runtime-endpoint'] ? String(flags['container-runtime-endpoint']) : undefined,
    cleanupOnExit: Boolean(flags['cleanup-on-exit']), caCert: ca.toString(), log,
  });
  const abort = new AbortController();
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

// The last certificate of the server's chain is its CA (Skiff serves leaf + CA).
async function serverCA(server: string, cachePath: string, log: (m: string) => void): Promise<Buffer> {
  if (existsSync(cachePath)) return readFileSync(cachePath);
  const u = new URL(server);
  const pem = await new Promise<string>((res, rej) => {
    const s = connect({ host: u.hostname, port: Number(u.port || 443), rejectUnauthorized: false, servername: u.hostname }, () => {
      let cert = s.getPeerCertificate(true);
      while (cert.issuerCertificate && cert.issuerCertificate !== cert && cert.issuerCertificate.fingerprint256 !== cert.fingerprint256) cert = cert.issuerCertificate;
      s.end();
      res(`-----BEGIN CERTIFICATE-----\n${cert.raw.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`);
    });
    s.on('error', rej);
  });
  writeFileSync(cachePath, pem, { mode: 0o600 });
  log(`trusting the server CA seen on first contact; saved to ${cachePath}`);
  return Buffer.from(pem);
}
