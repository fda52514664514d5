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
import { FlagError, parseFlags } from './flags.js';
import { HttpClient } from '../client/index.js';
import { NodeAgent } from '../agent/index.js';
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
  const ca = flags['ca-file'] ? readFileSync(String(flags['ca-file'])) : await serverCA(server, join(dataDir, 'server-ca.crt'), log);
  const client = new HttpClient({ server, ca, token: String(flags.token) });
  const agent = new NodeAgent({
    client, dataDir, nodeName: flags['node-name'] ? String(flags['node-name']) : undefined,
    hostIP: flags['node-ip'] ? String(flags['node-ip']) : hostAddress(),
    clusterCIDR: String(flags['cluster-cidr']), serviceCIDR: String(flags['service-cidr']),
    clusterDNS: flags['cluster-dns'] ? String(flags['cluster-dns']) : undefined,
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
