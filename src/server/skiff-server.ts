// SPDX-License-Identifier: Apache-2.0
/**
 * SkiffServer composes a whole single-process cluster: storage, PKI, the API
 * server, bootstrap objects and the admin kubeconfig, then the in-process
 * components (controllers, scheduler, agent) as later parts plug them in.
 * It owns start-up order and a clean shutdown.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { BlockList, isIPv4 } from 'node:net';
import { join } from 'node:path';
import { openStore, type DatastoreOptions, type Store, type StoreTuning } from '../storage/index.js';
import { nthAddress } from '../api/index.js';
import { APIServer } from '../apiserver/index.js';
import { ensurePKI } from '../apiserver/index.js';
import { InProcessClient } from '../apiserver/index.js';
import { issueCertificate, type PemPair } from '../pki/index.js';
import type { Client } from '../client/index.js';
import { bootstrapCluster } from './bootstrap.js';
import { createJoinToken } from './join-token.js';
import { renderKubeconfig } from '../client/index.js';
import { writeFileAtomic } from '../machinery/index.js';
import { scheduler } from '../scheduler/index.js';
import { simulatedNodes, simulatedUsage } from '../kwok/index.js';
import { ensureLocalPathStorageClass, newLocalPathProvisioner } from '../storage-provisioner/index.js';
import type { NodeAgentOptions } from '../agent/index.js';
import { CSRApprovingController, CSRSigningController } from '../controllers/index.js';
import { installPodStreaming, type KubeletClient } from '../apiserver/index.js';
import { nodeLifecycleController } from '../controllers/index.js';
import { controllerManager } from '../controllers/index.js';
import { leaderElected, type LeaderElectionTiming } from '../leaderelection/index.js';
import { LeaseEndpointReconciler } from '../controlplane/index.js';
import { ClusterRoleAggregator } from '../controllers/index.js';
import { installAuth, legacyToken, loadOrCreateSigningKey, serviceAccountKeyPath } from '../apiserver/index.js';
import { encryptedStore, loadOrCreateKeys } from '../apiserver/index.js';
import type { Component } from '../machinery/index.js';
import { DashboardFiles, dashboardListener } from '../dashboard/index.js';


export interface SkiffServerOptions {
  dataDir: string;
  /** maxWatchesPerUser bounds the concurrent watches of one user (default 1000). */
  maxWatchesPerUser?: number;
  httpsPort: number;
  bindAddress: string;
  serviceCIDR: string;
  clusterCIDR: string;
  nodePortRange: { min: number; max: number };
  datastoreEndpoint: string;
  tlsSans: string[];
  advertiseAddress?: string;
  /** disableAgent runs the control plane without a node agent (--disable-agent). */
  disableAgent?: boolean;
  /** agent tunes the node agent (hidden test flags: back-off, cleanup on exit, node name, CRI endpoint). */
  agent?: Pick<NodeAgentOptions, 'crashBackoff' | 'imageBackoff' | 'cleanupOnExit' | 'nodeName' | 'containerRuntimeEndpoint' | 'kubeletPort' | 'flannelBackend' | 'housekeeping' | 'kubeletFlags'>;
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


export class SkiffServer {
  readonly opts: SkiffServerOptions;
  readonly components: Component[] = [];
  #store?: Store;
  #api?: APIServer;
  #client?: Client;
  #lockFd?: number;
  #abort = new AbortController();
  #caCert = '';

  constructor(opts: SkiffServerOptions) {
    this.opts = opts;
  }

  get api(): APIServer {
    if (!this.#api) throw new Error('server not started');
    return this.#api;
  }

  /** client is the in-process client components use. */
  get client(): Client {
    if (!this.#client) throw new Error('server not started');
    return this.#client;
  }

  get kubeconfigPath(): string {
    return join(this.opts.dataDir, 'kubeconfig.yaml');
  }

  /** createJoinToken makes a bootstrap token and returns the join token text, as `skiff token create` does. */
  createJoinToken(ttlSeconds?: number): Promise<string> {
    return createJoinToken(this.client, { caCert: this.#caCert, ttlSeconds });
  }

  async start(): Promise<void> {
    const { dataDir, log } = this.opts;
    // Every informer and component listens on this one signal; more than Node's default 10 is expected.
    setMaxListeners(200, this.#abort.signal);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.#lock();
    this.#store = encryptedStore(openStore(this.opts.datastoreEndpoint, dataDir, { ...this.opts.storage, ...this.opts.datastore, log }), loadOrCreateKeys(dataDir));
    const advertise = this.opts.advertiseAddress ?? hostAddress([this.opts.clusterCIDR]);
    const kubernetesIP = nthAddress(this.opts.serviceCIDR, 1);
    const pki = await ensurePKI(join(dataDir, 'tls'), { sans: [kubernetesIP, advertise, ...this.opts.tlsSans] });
    this.#caCert = pki.ca.cert;
    this.#api = new APIServer({
      store: this.#store,
      pki,
      host: this.opts.bindAddress,
      port: this.opts.httpsPort,
      tokens: [],
      serviceCIDR: this.opts.serviceCIDR,
      nodePortRange: this.opts.nodePortRange,
      advertiseAddress: advertise,
      maxWatchesPerUser: this.opts.maxWatchesPerUser,
      log,
    });
    await this.#api.listen();
    // Components act as the server's own identity, authorized like any other caller.
    this.#client = this.#api.inProcessClient();
    await bootstrapCluster(this.#client, {
      apiPort: Number(new URL(this.#api.url).port),
      kubernetesServiceIP: kubernetesIP,
      caCert: pki.ca.cert,
      serverURL: this.#api.url,
    });
    writeFileAtomic(this.kubeconfigPath, renderKubeconfig({ name: 'skiff', server: this.#api.url, caCert: pki.ca.cert, clientCert: pki.admin.cert, clientKey: pki.admin.key }));
    const client = this.#client;
    const identity = this.#identity();
    // Every server lists itself behind the `kubernetes` Service while it lives (upstream's lease endpoint reconciler).
    this.components.push(new LeaseEndpointReconciler({ client, identity, advertiseAddress: advertise, apiPort: Number(new URL(this.#api.url).port), log }));
    const auth = installAuth(this.#api, client, { dataDir, log, aggregation: (roles) => new ClusterRoleAggregator({ client, roles, log }) });
    this.components.push(auth);
    if (this.opts.dashboard !== false) this.#addDashboard(pki.serving, advertise);
    // The API server verifies kubelet serving certificates against the cluster CA (--kubelet-certificate-authority).
    const { kubelets } = await installPodStreaming(this.#api, { client, ca: pki.ca, kubeletCA: pki.ca.cert, log, simulatedUsage });
    // The controllers and the scheduler act only on the server holding their Lease (upstream's names and timings),
    // so several servers on one datastore never both reconcile; the others stand by and take over.
    const election = { client, identity, log, ...this.opts.leaderElection };
    const saKey = loadOrCreateSigningKey(serviceAccountKeyPath(dataDir));
    this.components.push(leaderElected('kube-controller-manager', () => {
      const manager = controllerManager(client, {
        log,
        simulatedUsage,
        serviceAccountTokens: { rootCA: pki.ca.cert, generateToken: (sa, secret) => legacyToken(saKey, sa, secret) },
        clusterCIDR: this.opts.clusterCIDR,
        extraControllers: ({ factory, recorder }) => [
          newLocalPathProvisioner({ client, factory, log, recorder: recorder('skiff.dev/local-path'), dataDir }),
          // kube-controller-manager's csrapproving and csrsigning: kubelet certificates from the cluster CA.
          new CSRApprovingController({
            client, factory, log,
            review: async (r) => (await auth.authorizer.authorize({ ...r, resourceRequest: true, version: '*' })).allowed,
          }),
          new CSRSigningController({ client, factory, log, ca: pki.ca }),
        ],
        setUp: () => ensureLocalPathStorageClass(client),
      });
      const lifecycle = nodeLifecycleController(client, { log, nodeMonitorGracePeriodMs: this.opts.nodeMonitorGracePeriodMs });
      return {
        name: 'kube-controller-manager',
        start: async (signal) => {
          await manager.start(signal);
          await lifecycle.start(signal);
        },
        stop: async () => {
          await lifecycle.stop?.();
          await manager.stop?.();
        },
      };
    }, { ...election, lease: 'kube-controller-manager' }));
    this.components.push(leaderElected('kube-scheduler', () => scheduler(client, { log }), { ...election, lease: 'kube-scheduler' }));
    // Simulated leases renew at least four times per grace period, as the kubelet's 10 s does for the default 40 s.
    const leaseRenewIntervalMs = Math.min(10_000, (this.opts.nodeMonitorGracePeriodMs ?? 40_000) / 4);
    // Always running: Nodes created through the API with the simulated annotation are adopted even without --simulated-nodes.
    this.components.push(simulatedNodes(this.#client, { count: this.opts.simulatedNodes ?? 0, leaseRenewIntervalMs, log }));
    if (!this.opts.disableAgent) await this.#addNodeComponents(advertise, pki.ca, kubelets);
    for (const c of this.components) {
      await c.start(this.#abort.signal);
      log(`started ${c.name}`);
    }
    this.#api.markReady();
    log(`skiff server ready at ${this.#api.url}; kubeconfig: ${this.kubeconfigPath}`);
  }

  /** addDashboard serves the UI's files at /ui/ on the API port, and on a listener of its own behind its Service. */
  #addDashboard(tls: { key: string; cert: string }, advertise: string): void {
    const files = new DashboardFiles();
    this.#api!.servePublicFiles('/ui', (req, res, rest) => files.serve(req, res, rest));
    const port = this.opts.dashboard ? this.opts.dashboard.port ?? 0 : 0;
    this.components.push(dashboardListener({ client: this.#client!, files, tls, bindAddress: this.opts.bindAddress, port, advertiseAddress: advertise, log: this.opts.log }));
  }

  /**
   * addNodeComponents runs this machine as a node: the agent (kubelet,
   * containerd, proxy, network policy) and the add-ons that live on the
   * server's node: cluster DNS and the Ingress controller.
   */
  async #addNodeComponents(advertise: string, ca: PemPair, kubelets: KubeletClient): Promise<void> {
    const { dataDir, log } = this.opts;
    // Loaded only when this server runs a node: the CRI/gRPC stack is a large share of start-up time.
    const [{ NodeAgent }, { clusterDNS }, { ingressController }] = await Promise.all([
      import('../agent/index.js'),
      import('../dns/index.js'),
      import('../ingress/index.js'),
    ]);
    const agent = new NodeAgent({
      client: this.#client!, dataDir, hostIP: advertise, clusterCIDR: this.opts.clusterCIDR, serviceCIDR: this.opts.serviceCIDR,
      clusterDNS: nthAddress(this.opts.serviceCIDR, 10), caCert: ca.cert, loadBalancerAddress: advertise, log,
      // The server's own node needs no CSR: its kubelet serving certificate comes from the CA directly, valid for
      // the loopback address the API server dials it on and the node's address.
      servingCertificate: (nodeName) => issueCertificate(ca, { subject: `CN=system:node:${nodeName}, O=system:nodes`, server: true, sans: [nodeName, '127.0.0.1', advertise] }),
      // The server's own node renews its Lease at least four times per grace period, as the kubelet's 10 s does for the default 40 s.
      leaseRenewIntervalMs: Math.min(10_000, (this.opts.nodeMonitorGracePeriodMs ?? 40_000) / 4), ...this.opts.agent,
    });
    this.components.push(agent);
    // The API server reaches its own node's kubelet on loopback rather than the node's LAN address.
    this.components.push({
      name: 'kubelet-endpoint',
      start: async () => kubelets.setEndpoint(agent.nodeName!, { host: '127.0.0.1', port: agent.kubeletPort! }),
    });
    let dns: Component | undefined;
    this.components.push({
      name: 'cluster-dns',
      // DNS listens on every address (the node's bridge gateway appears with the first pod) on a free port;
      // the kube-dns Service's endpoint is the gateway, reached from pods through the proxy's DNAT.
      start: async (signal) => {
        dns = clusterDNS(this.#client!, {
          listenAddresses: [{ host: '0.0.0.0', port: this.opts.dnsPort ?? 0 }],
          kubeDNS: { clusterIP: nthAddress(this.opts.serviceCIDR, 10), endpointAddress: nthAddress(agent.podCIDR!, 1), nodeName: agent.nodeName },
          log,
        });
        await dns.start(signal);
      },
      stop: async () => dns?.stop?.(),
    });
    if (this.opts.ingress !== false) {
      const ports = { http: this.opts.ingress?.httpPort ?? 80, https: this.opts.ingress?.httpsPort ?? 443, bind: this.opts.ingress?.bindAddress ?? '0.0.0.0' };
      const ingress = ingressController(this.#client!, { httpPort: ports.http, httpsPort: ports.https, bindAddress: ports.bind, nodeAddress: advertise, log });
      this.components.push({
        name: ingress.name,
        // A busy port 80/443 (another web server on the machine) must not keep the cluster from starting:
        // the rest works, and the log says how to move the Ingress elsewhere.
        start: async (signal) => {
          try {
            await ingress.start(signal);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
            log(`ingress: cannot listen on ${ports.bind}:${ports.http}/${ports.https} (in use); Ingresses are not served on this node. Free the ports or pass --ingress-http-port/--ingress-https-port.`);
          }
        },
        stop: () => ingress.stop(),
      });
    }
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    for (const c of [...this.components].reverse()) {
      try {
        await c.stop?.();
      } catch (err) {
        this.opts.log(`stopping ${c.name}: ${(err as Error).message}`);
      }
    }
    await this.#api?.close();
    await this.#store?.close();
    this.#unlock();
  }

  /**
   * identity names this server in leader election, as upstream's hostname_uuid;
   * the uuid is kept in the data dir, so a server restarted on its data dir
   * (only one process can hold it) renews its own lease at once instead of
   * waiting for it to expire.
   */
  #identity(): string {
    const path = join(this.opts.dataDir, 'server-identity');
    if (!existsSync(path)) writeFileSync(path, `${randomUUID()}\n`, { mode: 0o600 });
    return `${hostname()}_${readFileSync(path, 'utf8').trim()}`;
  }

  /** lock refuses a second server on the same data dir, which would corrupt nothing but confuse everything. */
  #lock(): void {
    const path = join(this.opts.dataDir, 'server.pid');
    if (existsSync(path)) {
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new Error(`another skiff server (pid ${pid}) is using data dir ${this.opts.dataDir}`);
      }
      rmSync(path, { force: true });
    }
    this.#lockFd = openSync(path, 'wx', 0o644);
    writeSync(this.#lockFd, `${process.pid}\n`);
  }

  #unlock(): void {
    if (this.#lockFd === undefined) return;
    closeSync(this.#lockFd);
    this.#lockFd = undefined;
    rmSync(join(this.opts.dataDir, 'server.pid'), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
