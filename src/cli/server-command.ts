// SPDX-License-Identifier: Apache-2.0
/** `skiff server`: run a whole cluster in this process until SIGTERM/SIGINT. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCommandFlags } from './flags.js';
import { DEFAULT_SERVER_OPTIONS, SkiffServer } from '../server/index.js';
import { parseDurationMs } from '../machinery/index.js';
import { BACKENDS, type Backend } from '../flannel/index.js';
import { startResourceSampler } from '../server/index.js';
import { KUBELET_FLAGS, kubeletFlagValues } from './kubelet-flags.js';
import { releaseYoungGeneration } from './young-generation.js';

export async function runServer(args: string[]): Promise<void> {
  const flags = parseCommandFlags(
    args,
    {
      'data-dir': { type: 'string', default: '/var/lib/skiff', usage: 'directory for the datastore, certificates, kubeconfig and the node agent\'s state' },
      'https-port': { type: 'number', default: DEFAULT_SERVER_OPTIONS.httpsPort, usage: 'port of the HTTPS API (0 picks a free one)' },
      'bind-address': { type: 'string', default: DEFAULT_SERVER_OPTIONS.bindAddress, usage: 'address the API listens on' },
      'advertise-address': { type: 'string', usage: 'address clients in the cluster use to reach the API (default: the bind address or the host\'s address)' },
      'disable-agent': { type: 'boolean', default: false, usage: 'run the control plane only, without a node agent on this machine' },
      // Hidden flags for tests: remove pods, containerd, bridge and routes on exit; shorter back-offs (initial,max).
      'cleanup-on-exit': { type: 'boolean', default: false, hidden: true },
      'kubelet-backoff': { type: 'string', default: '', hidden: true },
      'node-name': { type: 'string', usage: 'name of this machine\'s Node (default: the host name)' },
      'container-runtime-endpoint': { type: 'string', usage: 'CRI socket of an existing containerd (default: run one under the data dir)' },
      'simulated-nodes': { type: 'number', default: 0, usage: 'number of simulated (KWOK-style) nodes to add' },
      'ingress-http-port': { type: 'number', default: 80, usage: 'port the built-in Ingress serves HTTP on' },
      'ingress-https-port': { type: 'number', default: 443, usage: 'port the built-in Ingress serves HTTPS on' },
      'ingress-bind-address': { type: 'string', default: '0.0.0.0', usage: 'address the built-in Ingress listens on' },
      'disable-ingress': { type: 'boolean', default: false, usage: 'do not run the built-in Ingress controller' },
      'disable-servicelb': { type: 'boolean', default: false, usage: 'do not publish LoadBalancer Services at the nodes\' addresses (leave them to another load balancer)' },
      'disable-dashboard': { type: 'boolean', default: false, usage: 'do not serve the web dashboard (/ui/ and the kube-system/kubernetes-dashboard Service)' },
      'dashboard-port': { type: 'number', default: 0, usage: 'port of the dashboard listener behind its Service (0 picks a free one)' },
      'kubelet-port': { type: 'number', default: 10250, usage: 'port of the kubelet API (logs, exec, port-forward)' },
      // Hidden: compact history often and keep little of it, so tests can see 410 Gone.
      'storage-compact-interval': { type: 'string', default: '', hidden: true },
      'storage-compact-retain': { type: 'number', default: 0, hidden: true },
      'node-monitor-grace-period': { type: 'string', default: '40s', usage: 'how long a node may be silent before it is marked NotReady' },
      // Upstream's kube-controller-manager/kube-scheduler leader election flags and defaults.
      'leader-elect-lease-duration': { type: 'string', default: '15s', usage: 'how long a standby server waits before taking over the controllers and scheduler of a silent leader' },
      'leader-elect-renew-deadline': { type: 'string', default: '10s', usage: 'how long the leader keeps trying to renew its lease before it stops acting' },
      'leader-elect-retry-period': { type: 'string', default: '2s', usage: 'how often servers try to acquire or renew the leases' },
      'service-cidr': { type: 'string', default: DEFAULT_SERVER_OPTIONS.serviceCIDR, usage: 'IP range of Service cluster IPs' },
      'cluster-cidr': { type: 'string', default: DEFAULT_SERVER_OPTIONS.clusterCIDR, usage: 'IP range of pod IPs, split into one range per node' },
      'service-node-port-range': { type: 'string', default: '30000-32767', usage: 'port range of NodePort Services' },
      'datastore-endpoint': { type: 'string', default: '', usage: 'sqlite://PATH, or etcd members as https://HOST:2379,https://HOST2:2379,... (default: sqlite in the data dir)' },
      'datastore-cafile': { type: 'string', default: '', usage: 'CA certificate that signed the etcd members\' certificates' },
      'datastore-certfile': { type: 'string', default: '', usage: 'client certificate for etcd' },
      'datastore-keyfile': { type: 'string', default: '', usage: 'client key for etcd' },
      // Hidden: how long one etcd request may take before it fails as unavailable (tests shorten it).
      'datastore-request-timeout': { type: 'string', default: '', hidden: true },
      'cluster-init': { type: 'boolean', default: false, usage: 'run an etcd member in this server and start a new cluster on it (add servers with --server and --token; 3 servers tolerate one failure, 2 tolerate none)' },
      server: { type: 'string', default: '', usage: 'URL of a server of the cluster to join as another server (with --token): it fetches the cluster secrets and, without --datastore-endpoint, adds its own etcd member' },
      token: { type: 'string', default: '', usage: 'server token of the cluster to join (the file <data-dir>/token on an existing server)' },
      'token-file': { type: 'string', default: '', usage: 'file holding the server token (instead of --token)' },
      // Hidden: etcd ports of this server's member (tests on one network namespace).
      'etcd-client-port': { type: 'number', default: 2379, hidden: true },
      'etcd-peer-port': { type: 'number', default: 2380, hidden: true },
      'tls-san': { type: 'list', default: [], usage: 'extra names or addresses for the API serving certificate (repeatable)' },
      'max-watches-per-user': { type: 'number', default: 1000, usage: 'concurrent watches one user may hold; more answer 429 Too Many Requests' },
      'event-ttl': { type: 'string', default: '1h', usage: 'how long an Event is kept after its last write' },
      'flannel-backend': { type: 'string', default: 'vxlan', usage: `pod network between nodes: ${BACKENDS.join(' or ')} (host-gw needs every node on one L2 segment)` },
      ...KUBELET_FLAGS,
    },
    { name: 'skiff server', summary: 'Run a whole single-node cluster (API server, controllers, scheduler and, unless disabled, a node agent) in this process.' },
  );
  if (!BACKENDS.includes(String(flags['flannel-backend']) as Backend)) {
    process.stderr.write(`skiff server: --flannel-backend must be one of ${BACKENDS.join(', ')}\n`);
    process.exit(2);
  }
  const range = /^(\d+)-(\d+)$/.exec(String(flags['service-node-port-range']));
  if (!range) {
    process.stderr.write('skiff server: --service-node-port-range must look like 30000-32767\n');
    process.exit(2);
  }
  const token = flags['token-file'] ? readFileSync(resolve(String(flags['token-file'])), 'utf8').trim() : String(flags.token);
  if (flags.server && !token) {
    process.stderr.write("skiff server: --server needs --token (or --token-file): the server token in <data-dir>/token on an existing server\n");
    process.exit(2);
  }
  if (flags['cluster-init'] && flags['datastore-endpoint']) {
    process.stderr.write('skiff server: --cluster-init runs an etcd member in this server; it cannot be combined with --datastore-endpoint\n');
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
    maxWatchesPerUser: Number(flags['max-watches-per-user']),
    eventTTLMs: parseDurationMs(String(flags['event-ttl'])),
    datastoreEndpoint: String(flags['datastore-endpoint']),
    datastore: {
      caFile: flags['datastore-cafile'] ? resolve(String(flags['datastore-cafile'])) : undefined,
      certFile: flags['datastore-certfile'] ? resolve(String(flags['datastore-certfile'])) : undefined,
      keyFile: flags['datastore-keyfile'] ? resolve(String(flags['datastore-keyfile'])) : undefined,
      requestTimeoutMs: flags['datastore-request-timeout'] ? parseDurationMs(String(flags['datastore-request-timeout'])) : undefined,
    },
    join: flags.server ? { server: String(flags.server), token } : undefined,
    managedEtcd: {
      clusterInit: Boolean(flags['cluster-init']),
      clientPort: Number(flags['etcd-client-port']),
      peerPort: Number(flags['etcd-peer-port']),
    },
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
    serviceLB: !flags['disable-servicelb'],
    dashboard: flags['disable-dashboard'] ? false : { port: Number(flags['dashboard-port']) },
    agent: {
      cleanupOnExit: Boolean(flags['cleanup-on-exit']),
      nodeName: flags['node-name'] ? String(flags['node-name']) : undefined,
      containerRuntimeEndpoint: flags['container-runtime-endpoint'] ? String(flags['container-runtime-endpoint']) : undefined,
      kubeletPort: Number(flags['kubelet-port']),
      flannelBackend: String(flags['flannel-backend']) as Backend,
      ...backoffFlag(String(flags['kubelet-backoff'])),
      kubeletFlags: kubeletFlagValues(flags),
    },
    nodeMonitorGracePeriodMs: parseDurationMs(String(flags['node-monitor-grace-period'])),
    leaderElection: {
      leaseDurationMs: parseDurationMs(String(flags['leader-elect-lease-duration'])),
      renewDeadlineMs: parseDurationMs(String(flags['leader-elect-renew-deadline'])),
      retryPeriodMs: parseDurationMs(String(flags['leader-elect-retry-period'])),
    },
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
  // Soak runs read heap and event-loop delay from these lines (bench/soak-bench.ts).
  const sampler = process.env.SKIFF_RESOURCE_LOG_MS ? startResourceSampler(log, Number(process.env.SKIFF_RESOURCE_LOG_MS)) : undefined;
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    await server.start();
    // The end of start-up, before the young generation is released: what start-up itself left committed.
    sampler?.sampleNow();
    releaseYoungGeneration();
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
