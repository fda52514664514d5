// SPDX-License-Identifier: Apache-2.0
/**
 * SkiffServer composes a whole single-process cluster: storage, PKI, the API
 * server, bootstrap objects and the admin kubeconfig, then the in-process
 * components (controllers, scheduler, agent) as later parts plug them in.
 * It owns start-up order and a clean shutdown.
 */
import { setMaxListeners } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, type Store } from '../storage/index.js';
import { DEFAULT_CLUSTER_DOMAIN, nthAddress } from '../api/index.js';
import { APIServer, EventExpiry, ensurePKI, installAuth, installPodStreaming, encryptedStore, loadOrCreateKeys } from '../apiserver/index.js';
import type { Client } from '../client/index.js';
import { renderKubeconfig } from '../client/index.js';
import { writeFileAtomic, type Component } from '../machinery/index.js';
import { simulatedNodes, simulatedUsage } from '../kwok/index.js';
import { LeaseEndpointReconciler } from '../controlplane/index.js';
import { ClusterRoleAggregator } from '../controllers/index.js';
import { DashboardFiles, dashboardListener } from '../dashboard/index.js';
import { bootstrapCluster } from './bootstrap.js';
import { createJoinToken } from './join-token.js';
import { hostAddress, type SkiffServerOptions } from './server-options.js';
import { DataDirLock, serverIdentity } from './data-dir-lock.js';
import { leaderElectedControlPlane } from './controller-manager.js';
import { loadNodeModules, nodeComponents } from './node-components.js';
import { ManagedEtcd, wantsManagedEtcd } from './managed-etcd.js';
import { fetchClusterSecrets, hasClusterSecrets, serveClusterSecrets } from './cluster-secrets.js';
import { ensureServerToken } from './server-token.js';
import { hasManagedEtcd } from '../etcd/index.js';

export { DEFAULT_SERVER_OPTIONS, hostAddress, type SkiffServerOptions } from './server-options.js';

export class SkiffServer {
  readonly opts: SkiffServerOptions;
  readonly components: Component[] = [];
  #store?: Store;
  #eventExpiry?: EventExpiry;
  #api?: APIServer;
  #client?: Client;
  #lock: DataDirLock;
  #abort = new AbortController();
  #caCert = '';
  #etcd?: ManagedEtcd;

  constructor(opts: SkiffServerOptions) {
    this.opts = opts;
    this.#lock = new DataDirLock(opts.dataDir);
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
    const nodeModules = this.opts.disableAgent ? undefined : loadNodeModules();
    // A start that fails before the node is wired leaves the loading unawaited: its failure is reported there or not at all.
    nodeModules?.catch(() => undefined);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.#lock.lock();
    const joining = this.opts.join;
    const external = /^https?:\/\//i.test(this.opts.datastoreEndpoint);
    await this.#prepareClusterSecrets();
    const advertise = this.opts.advertiseAddress ?? hostAddress([this.opts.clusterCIDR]);
    const kubernetesIP = nthAddress(this.opts.serviceCIDR, 1);
    const pki = await ensurePKI(join(dataDir, 'tls'), { sans: [kubernetesIP, advertise, ...this.opts.tlsSans] });
    this.#caCert = pki.ca.cert;
    // Servers sharing etcd hand the cluster secrets to servers that join with the server token.
    const token = this.#etcd || external ? ensureServerToken(dataDir, pki.ca.cert, joining?.token) : undefined;
    const datastore = this.#etcd
      ? await this.#etcd.start(pki.ca, this.opts.agent?.nodeName, advertise, this.opts.httpsPort)
      : { endpoint: this.opts.datastoreEndpoint, datastore: this.opts.datastore };
    this.#store = encryptedStore(openStore(datastore.endpoint, dataDir, { ...this.opts.storage, ...this.opts.datastore, ...datastore.datastore, log }), loadOrCreateKeys(dataDir));
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
    if (token) {
      const etcd = this.#etcd;
      const etcdEndpoints = etcd ? () => etcd.memberClientURLs() : async () => this.opts.datastoreEndpoint.split(',').map((e) => e.trim()).filter(Boolean);
      serveClusterSecrets(this.#api, { dataDir, token, etcdEndpoints, log });
    }
    await this.#api.listen();
    // Events expire an --event-ttl after their last write, as upstream's etcd lease does for them.
    this.#eventExpiry = new EventExpiry({ store: this.#store, ttlMs: this.opts.eventTTLMs, log });
    this.#eventExpiry.start();
    // Components act as the server's own identity, authorized like any other caller.
    this.#client = this.#api.inProcessClient();
    await bootstrapCluster(this.#client, {
      apiPort: Number(new URL(this.#api.url).port),
      kubernetesServiceIP: kubernetesIP,
      caCert: pki.ca.cert,
      serverURL: this.#api.url,
      network: { podSubnet: this.opts.clusterCIDR, serviceSubnet: this.opts.serviceCIDR, dnsDomain: DEFAULT_CLUSTER_DOMAIN, backend: this.opts.agent?.flannelBackend ?? 'vxlan' },
    });
    writeFileAtomic(this.kubeconfigPath, renderKubeconfig({ name: 'skiff', server: this.#api.url, caCert: pki.ca.cert, clientCert: pki.admin.cert, clientKey: pki.admin.key }));
    const client = this.#client;
    const identity = serverIdentity(dataDir);
    // Every server lists itself behind the `kubernetes` Service while it lives (upstream's lease endpoint reconciler).
    this.components.push(new LeaseEndpointReconciler({ client, identity, advertiseAddress: advertise, apiPort: Number(new URL(this.#api.url).port), log }));
    const auth = installAuth(this.#api, client, { dataDir, log, aggregation: (roles) => new ClusterRoleAggregator({ client, roles, log }) });
    this.components.push(auth);
    if (this.opts.dashboard !== false) this.#addDashboard(pki.serving, advertise);
    // The API server verifies kubelet serving certificates against the cluster CA (--kubelet-certificate-authority).
    const { kubelets } = await installPodStreaming(this.#api, { client, ca: pki.ca, kubeletCA: pki.ca.cert, log, simulatedUsage });
    if (this.#etcd) this.components.push(this.#etcd.memberController(client));
    this.components.push(...leaderElectedControlPlane(this.opts, client, { identity, ca: pki.ca, auth }));
    // Simulated leases renew at least four times per grace period, as the kubelet's 10 s does for the default 40 s.
    const leaseRenewIntervalMs = Math.min(10_000, (this.opts.nodeMonitorGracePeriodMs ?? 40_000) / 4);
    // Always running: Nodes created through the API with the simulated annotation are adopted even without --simulated-nodes.
    this.components.push(simulatedNodes(this.#client, { count: this.opts.simulatedNodes ?? 0, leaseRenewIntervalMs, log }));
    const nodeChains = nodeModules ? await nodeComponents(this.opts, client, advertise, pki.ca, kubelets, nodeModules) : [];
    // RBAC starts first: it is the authorizer every later caller meets. The control-plane components after it are
    // independent of each other and of the node, so each starts on its own chain, concurrently with the node's
    // chains: start-up takes as long as the longest chain (the node's), not the sum of all.
    await this.#startChain([auth]);
    const controlPlane = this.components.filter((c) => c !== auth);
    this.components.push(...nodeChains.flat());
    // Every chain settles before a failure is reported, so stop() never races a component still starting.
    const started = await Promise.allSettled([...controlPlane.map((c) => this.#startChain([c])), ...nodeChains.map((chain) => this.#startChain(chain))]);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    this.#api.markReady();
    log(`skiff server ready at ${this.#api.url}; kubeconfig: ${this.kubeconfigPath}`);
  }

  /** startChain starts components one after another, each once the one before it has started. */
  async #startChain(chain: Component[]): Promise<void> {
    for (const c of chain) {
      await c.start(this.#abort.signal);
      this.opts.log(`started ${c.name}`);
    }
  }

  /**
   * prepareClusterSecrets sets up a server that runs its own etcd member, and
   * has a joining server (--server/--token) fetch the cluster's shared secrets,
   * before the PKI and keys would otherwise be generated here.
   */
  async #prepareClusterSecrets(): Promise<void> {
    const { dataDir, log } = this.opts;
    const joining = this.opts.join;
    const external = /^https?:\/\//i.test(this.opts.datastoreEndpoint);
    if (this.opts.datastoreEndpoint && (this.opts.managedEtcd?.clusterInit || hasManagedEtcd(dataDir))) {
      throw new Error('--datastore-endpoint names an external datastore; it cannot be combined with a server that runs its own etcd (--cluster-init, or a data dir holding an etcd member)');
    }
    if (joining && this.opts.datastoreEndpoint && !external) throw new Error('--server joins servers that share etcd; a SQLite datastore belongs to one server');
    if (!this.opts.datastoreEndpoint && wantsManagedEtcd(dataDir, { ...this.opts.managedEtcd, join: joining })) {
      this.#etcd = new ManagedEtcd(dataDir, { ...this.opts.managedEtcd, join: joining }, log);
      // A joining server takes the cluster's CA and keys before anything is generated from them.
      await this.#etcd.prepareSecrets();
    } else if (joining && !hasClusterSecrets(dataDir)) {
      await fetchClusterSecrets(joining.server, joining.token, dataDir, log);
    }
  }

  /** addDashboard serves the UI's files at /ui/ on the API port, and on a listener of its own behind its Service. */
  #addDashboard(tls: { key: string; cert: string }, advertise: string): void {
    const files = new DashboardFiles();
    this.#api!.servePublicFiles('/ui', (req, res, rest) => files.serve(req, res, rest));
    const port = this.opts.dashboard ? this.opts.dashboard.port ?? 0 : 0;
    this.components.push(dashboardListener({ client: this.#client!, files, tls, bindAddress: this.opts.bindAddress, port, advertiseAddress: advertise, log: this.opts.log }));
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
    this.#eventExpiry?.stop();
    await this.#api?.close();
    await this.#store?.close();
    await this.#etcd?.stop();
    this.#lock.unlock();
  }
}
