// SPDX-License-Identifier: Apache-2.0
/**
 * NodeAgent composes what runs on a node: the pod range (from the server's
 * node IPAM), sink routes for the cluster and service CIDRs (before any pod
 * starts), the pod network to other nodes (src/flannel), a private
 * containerd (or an existing CRI endpoint), the pause image imported on
 * first start, the Kubelet and its HTTPS server (logs, exec, port-forward,
 * stats), the Service proxy and NetworkPolicy enforcement. Stopping leaves
 * pods running, as upstream;
 * with `cleanupOnExit` (tests, `skiff server --cleanup-on-exit`) it removes
 * every pod, containerd, the bridge, the routes it added and the cgroups.
 */
import { hostname } from 'node:os';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '../client/index.js';
import { ContainerdSupervisor, dataDirTag } from '../kubelet/index.js';
import { CriClient } from '../kubelet/index.js';
import { Kubelet, type BackoffTimings, type HousekeepingConfig } from '../kubelet/index.js';
import { importImage, pauseImage, PAUSE_IMAGE } from '../images/index.js';
import { deleteLink, ensureSinkRoutes, removeSinkRoutes } from './host-network.js';
import { KubeletServer, DEFAULT_KUBELET_PORT } from '../kubelet/index.js';
import { serviceProxy } from '../proxy/index.js';
import { networkPolicyEnforcer } from '../networkpolicy/index.js';
import { nodePodCIDR } from './pod-cidr.js';
import { housekeepingFromFlags, type KubeletFlagValues } from './kubelet-flags.js';
import { PodNetwork, podMTU, execRunner, type Backend } from '../flannel/index.js';
import { nthAddress } from '../api/index.js';
import type { PemPair } from '../pki/index.js';

/** NodeAgentOptions configure a node agent. */
export interface NodeAgentOptions {
  /** client carries the kubelet's identity (a joined agent's node credentials). */
  client: Client;
  /**
   * networkClient carries the identity the service proxy, NetworkPolicy
   * enforcer and the pod network's Node watch run as (a joined agent's system:skiff-node-network:<node>):
   * they read every Service, endpoint, pod and namespace, which the node
   * authorizer does not let a kubelet do. Default: client (the server's own node).
   */
  networkClient?: Client;
  dataDir: string;
  nodeName?: string;
  /** hostIP is the node's InternalIP (default: the machine's first non-loopback IPv4). */
  hostIP: string;
  clusterCIDR: string;
  serviceCIDR: string;
  /** clusterDNS is the DNS service IP (default: the 10th address of the service CIDR). */
  clusterDNS?: string;
  /** containerRuntimeEndpoint uses an existing CRI socket instead of starting containerd. */
  containerRuntimeEndpoint?: string;
  crashBackoff?: BackoffTimings;
  imageBackoff?: BackoffTimings;
  cleanupOnExit?: boolean;
  /** caCert is the cluster CA (PEM): the kubelet server admits API-server client certificates it signed. */
  caCert: string;
  /** kubeletPort is the kubelet HTTPS port (default 10250; when taken, a free port is used and advertised). */
  kubeletPort?: number;
  /**
   * servingCertificate provides the kubelet's serving certificate for a node
   * name once it is known (signed by the cluster CA, so the API server can
   * verify it); without it the kubelet serves a self-signed one. It may call
   * back with renewed certificates.
   */
  servingCertificate?: (nodeName: string, onRotate: (pair: PemPair) => void) => Promise<PemPair>;
  /** leaseRenewIntervalMs is how often the kubelet renews its Lease and posts status (default 10 s, a quarter of upstream's 40 s lease). */
  leaseRenewIntervalMs?: number;
  /** flannelBackend is how pod traffic crosses between nodes: VXLAN (default) or host-gw (plain routes, nodes on one L2 segment). */
  flannelBackend?: Backend;
  /** housekeeping tunes eviction, garbage collection and log rotation; kubeletFlags gives the same as flag values. */
  housekeeping?: HousekeepingConfig;
  kubeletFlags?: KubeletFlagValues;
  log: (msg: string) => void;
}

/** Component is what the agent starts besides the kubelet. */
interface AgentPart {
  name: string;
  start(signal: AbortSignal): Promise<void>;
  stop?(): Promise<void>;
}

/** NodeAgent is the server component (or `skiff agent` process) running a node. */
export class NodeAgent {
  readonly name = 'node-agent';
  readonly #o: NodeAgentOptions;
  #supervisor?: ContainerdSupervisor;
  #cri?: CriClient;
  #kubelet?: Kubelet;
  #kubeletServer?: KubeletServer;
  #parts: AgentPart[] = [];
  #addedRoutes: string[] = [];
  #podCIDR?: string;
  #nodeName?: string;

  constructor(opts: NodeAgentOptions) {
    this.#o = opts;
  }

  /** podCIDR is this node's pod range (after start). */
  get podCIDR(): string | undefined {
    return this.#podCIDR;
  }

  get nodeName(): string | undefined {
    return this.#nodeName;
  }

  /** kubeletPort is the port the kubelet server listens on (after start). */
  get kubeletPort(): number | undefined {
    return this.#kubeletServer?.port;
  }

  /** kubelet is the running Kubelet (for streaming and tests). */
  get kubelet(): Kubelet | undefined {
    return this.#kubelet;
  }

  /** start brings the node up and resolves once its kubelet is syncing pods. */
  async start(signal: AbortSignal): Promise<void> {
    const o = this.#o;
    const nodeName = o.nodeName ?? hostname().toLowerCase();
    const podCIDR = await nodePodCIDR(o.client, nodeName, { signal });
    const backend = o.flannelBackend ?? 'vxlan';
    this.#podCIDR = podCIDR;
    this.#nodeName = nodeName;
    this.#addedRoutes = [...new Set([...readRoutes(this.#routesFile), ...ensureSinkRoutes(this.#sinkLink, [o.clusterCIDR, o.serviceCIDR])])];
    // Remember them across crashes, so a cleanup after a restart still removes what this node added.
    writeFileSync(this.#routesFile, JSON.stringify(this.#addedRoutes));
    // Chains are named per data dir so several nodes on one machine (tests) never touch each other's rules.
    const chainTag = dataDirTag(o.dataDir).slice(0, 6).toUpperCase();
    this.#parts = [
      new PodNetwork({
        client: o.client, nodesClient: o.networkClient, nodeName, nodeIP: o.hostIP, podCIDR, clusterCIDR: o.clusterCIDR, backend, chainPrefix: `SKFL${chainTag}`,
        cleanupOnExit: o.cleanupOnExit, log: o.log,
      }),
      serviceProxy(o.networkClient ?? o.client, {
        nodeName, nodeIPs: [o.hostIP], serviceCIDR: o.serviceCIDR, clusterCIDR: o.clusterCIDR,
        chainPrefix: `SK${chainTag}`, log: o.log,
      }),
      networkPolicyEnforcer(o.networkClient ?? o.client, { nodeName, chainPrefix: `SKNP${chainTag}`, log: o.log }),
    ];
    // The network parts need the node's pod range, not its runtime: they start while containerd comes up. Both settle
    // before a failure is reported, so stop() never races a part still starting.
    const started = await Promise.allSettled([
      this.#startRuntime(nodeName, podCIDR, backend, signal),
      (async () => {
        for (const part of this.#parts) await part.start(signal);
      })(),
    ]);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    o.log(`node agent: node ${nodeName} up with pod CIDR ${podCIDR}`);
  }

  /** startRuntime brings up containerd (unless an endpoint is given), the pause image, the kubelet server and the kubelet. */
  async #startRuntime(nodeName: string, podCIDR: string, backend: Backend, signal: AbortSignal): Promise<void> {
    const o = this.#o;
    let socket = o.containerRuntimeEndpoint?.replace(/^unix:\/\//, '');
    if (!socket) {
      this.#supervisor = new ContainerdSupervisor({ dataDir: o.dataDir, podCIDR, mtu: podMTU(execRunner, o.hostIP, backend), log: o.log });
      await this.#supervisor.start();
      socket = this.#supervisor.socketPath;
    }
    this.#cri = await CriClient.connect(socket);
    await this.#ensurePauseImage(socket);
    this.#kubeletServer = await this.#listenKubelet(nodeName);
    this.#kubelet = new Kubelet({
      client: o.client, runtime: this.#cri, images: this.#cri, nodeName, dataDir: o.dataDir, hostIP: o.hostIP, podCIDR,
      clusterDNS: [o.clusterDNS ?? nthAddress(o.serviceCIDR, 10)], cgroupRoot: `/skiff-${dataDirTag(o.dataDir)}`,
      crashBackoff: o.crashBackoff, imageBackoff: o.imageBackoff, housekeeping: o.housekeeping ?? (o.kubeletFlags ? housekeepingFromFlags(o.kubeletFlags) : undefined),
      leaseIntervalMs: o.leaseRenewIntervalMs, nodeStatusIntervalMs: o.leaseRenewIntervalMs, kubeletPort: this.#kubeletServer.port, log: o.log,
    });
    await this.#kubelet.start(signal);
  }

  /** listenKubelet starts the kubelet HTTPS server on the usual port, or a free one when another node on this machine holds it. */
  async #listenKubelet(nodeName: string): Promise<KubeletServer> {
    const o = this.#o;
    let server: KubeletServer | undefined;
    const servingCert = await o.servingCertificate?.(nodeName, (pair) => server?.setServingCertificate(pair));
    const make = (port: number) => new KubeletServer({ runtime: this.#cri!, nodeName, clientCA: o.caCert, port, servingCert, log: o.log });
    const wanted = o.kubeletPort ?? DEFAULT_KUBELET_PORT;
    server = make(wanted);
    try {
      await server.listen();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || wanted === 0) throw err;
      o.log(`node agent: kubelet port ${wanted} is in use; using a free port instead`);
      server = make(0);
      await server.listen();
    }
    return server;
  }

  get #sinkLink(): string {
    return `sksink${dataDirTag(this.#o.dataDir)}`;
  }

  get #routesFile(): string {
    return join(this.#o.dataDir, 'agent-routes.json');
  }

  /** stop ends the kubelet and containerd; pods keep running unless cleanupOnExit. */
  async stop(): Promise<void> {
    const t0 = Date.now();
    for (const part of [...this.#parts].reverse()) await part.stop?.().catch((err) => this.#o.log(`node agent: stopping ${part.name}: ${(err as Error).message}`));
    this.#parts = [];
    await this.#kubeletServer?.close();
    await this.#kubelet?.stop();
    if (this.#o.cleanupOnExit) await this.#kubelet?.removeAllPods().catch((err) => this.#o.log(`node agent: removing pods: ${(err as Error).message}`));
    this.#cri?.close();
    await this.#supervisor?.stop();
    if (this.#o.cleanupOnExit) {
      await this.#supervisor?.endLeftoverShims();
      if (this.#supervisor) deleteLink(this.#supervisor.bridgeName);
      removeSinkRoutes(this.#sinkLink, this.#addedRoutes);
      this.#addedRoutes = [];
      rmSync(this.#routesFile, { force: true });
    }
    this.#o.log(`node agent: stopped in ${Date.now() - t0} ms${this.#o.cleanupOnExit ? ' (pods, containerd, bridge and routes removed)' : ''}`);
  }

  async #ensurePauseImage(socket: string): Promise<void> {
    if ((await this.#cri!.imageStatus({ image: { image: PAUSE_IMAGE } })).image) return;
    const dir = join(this.#o.dataDir, 'images');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'pause.oci.tar');
    writeFileSync(path, pauseImage());
    try {
      await importImage(socket, path);
    } finally {
      rmSync(path, { force: true });
    }
  }
}

function readRoutes(path: string): string[] {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as string[];
  } catch {
    return [];
  }
}

