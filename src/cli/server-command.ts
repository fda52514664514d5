// SPDX-License-Identifier: Apache-2.0
/** `skiff server`: run a whole cluster in this process until SIGTERM/SIGINT. */
import { resolve } from 'node:path';
import { FlagError, parseFlags } from './flags.js';
import { DEFAULT_SERVER_OPTIONS, SkiffServer } from '../server/index.js';
import { parseDurationMs } from '../machinery/index.js';

export async function runServer(args: string[]): Promise<void> {
  let flags;
  try {
    flags = parseFlags(args, {
      'data-dir': { type: 'string', default: '/var/lib/skiff' },
      'https-port': { type: 'number', default: DEFAULT_SERVER_OPTIONS.httpsPort },
      'bind-address': { type: 'string', default: DEFAULT_SERVER_OPTIONS.bindAddress },
      'advertise-address': { type: 'string' },
      'disable-agent': { type: 'boolean', default: false },
      // Hidden flags for tests: remove pods, containerd, bridge and routes on exit; shorter back-offs (initial,max).
      'cleanup-on-exit': { type: 'boolean', default: false },
      'kubelet-backoff': { type: 'string', default: '' },
      'node-name': { type: 'string' },
      'container-runtime-endpoint': { type: 'string' },
      'simulated-nodes': { type: 'number', default: 0 },
      'ingress-http-port': { type: 'number', default: 80 },
      'ingress-https-port': { type: 'number', default: 443 },
      'ingress-bind-address': { type: 'string', default: '0.0.0.0' },
      'disable-ingress': { type: 'boolean', default: false },
      'kubelet-port': { type: 'number', default: 10250 },
      // Hidden: compact history often and keep little of it, so tests can see 410 Gone.
      'storage-compact-interval': { type: 'string', default: '' },
      'storage-compact-retain': { type: 'number', default: 0 },
      'node-monitor-grace-period': { type: 'string', default: '40s' },
      'service-cidr': { type: 'string', default: DEFAULT_SERVER_OPTIONS.serviceCIDR },
      'cluster-cidr': { type: 'string', default: DEFAULT_SERVER_OPTIONS.clusterCIDR },
      'service-node-port-range': { type: 'string', default: '30000-32767' },
      'datastore-endpoint': { type: 'string', default: '' },
      'tls-san': { type: 'list', default: [] },
    });
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`skiff server: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const range = /^(\d+)-(\d+)$/.exec(String(flags['service-node-port-range']));
  if (!range) {
    process.stderr.write('skiff server: --service-node-port-range must look like 30000-32767\n');
    process.exit(2);
  }
  const log = (msg: string) => process.stderr.write(`${new Date().toISOString()} ${msg}\n`);
  const server = new SkiffServer({
    dataDir: resolve(String(flags['data-dir'])),
    httpsPort: Number(flags['https-port']),
    bindAddress: String(flags['bind-address']),
    advertiseAddress: flags['advertise-address'] ? String(flags['advertise-address']) : undefined,
    serviceCIDR: String(flags['service-cidr']),
    clusterCIDR: String(flags['cluster-cidr']),
    nodePortRange: { min: Number(range[1]), max: Number(range[2]) },
    datastoreEndpoint: String(flags['datastore-endpoint']),
    tlsSans: flags['tls-san'] as string[],
    simulatedNodes: Number(flags['simulated-nodes']),
    storage: {
      compactIntervalMs: flags['storage-compact-interval'] ? parseDurationMs(String(flags['storage-compact-interval'])) : undefined,
      compactRetainRevisions: Number(flags['storage-compact-retain']) || undefined,
    },
    ingress: flags['disable-ingress']
      ? false
      : { httpPort: Number(flags['ingress-http-port']), httpsPort: Number(flags['ingress-https-port']), bindAddress: String(flags['ingress-bind-address']) },
    disableAgent: Boolean(flags['disable-agent']),
    agent: {
      cleanupOnExit: Boolean(flags['cleanup-on-exit']),
      nodeName: flags['node-name'] ? String(flags['node-name']) : undefined,
      containerRuntimeEndpoint: flags['container-runtime-endpoint'] ? String(flags['container-runtime-endpoint']) : undefined,
      kubeletPort: Number(flags['kubelet-port']),
      ...backoffFlag(String(flags['kubelet-backoff'])),
    },
    nodeMonitorGracePeriodMs: parseDurationMs(String(flags['node-monitor-grace-period'])),
    log,
  });
  let stopping = false;
  const shutdown = (sig: string) => {
    if (stopping) return;
    stopping = true;
    log(`received ${sig}, shutting down`);
    server.stop().then(
      () => process.exit(0),
      (err) => {
        log(`shutdown failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    await server.start();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      const port = (e as NodeJS.ErrnoException & { port?: number }).port ?? flags['https-port'];
      log(`port ${String(port)} is already in use${Number(port) === Number(flags['https-port']) ? '; choose another with --https-port' : ''}: ${e.message}`);
    }
    else log(`failed to start: ${e.stack ?? e.message}`);
    await server.stop().catch(() => undefined);
    process.exit(1);
  }
}

// --kubelet-backoff INITIAL,MAX (e.g. 1s,4s) shortens CrashLoopBackOff and ImagePullBackOff for tests.
function backoffFlag(v: string): { crashBackoff?: { initialMs: number; maxMs: number }; imageBackoff?: { initialMs: number; maxMs: number } } {
  if (!v) return {};
  const [first, second] = v.split(',').map((d) => parseDurationMs(d.trim()));
  const initialMs = first ?? 10_000;
  const t = { initialMs, maxMs: second ?? initialMs * 30 };
  return { crashBackoff: t, imageBackoff: t };
}
