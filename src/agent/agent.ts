// SPDX-License-Identifier: Apache-2.0
/**
 * NodeAgent composes what runs on a node: the pod range, blackhole routes
 * for the cluster and service CIDRs (before any pod starts), a private
 * containerd (or an existing CRI endpoint), the pause image imported on
 * first start, and the Kubelet. Stopping leaves pods running, as upstream;
 * with `cleanupOnExit` (tests, `skiff server --cleanup-on-exit`) it removes
 * every pod, containerd, the bridge, the routes it added and the cgroups.
 */
import { hostname } from 'node:os';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '../client/client.js';
import { ContainerdSupervisor, dataDirTag } from '../kubelet/containerd/index.js';
import { CriClient } from '../kubelet/cri/index.js';
import { Kubelet, type BackoffTimings } from '../kubelet/index.js';
import { importImage, pauseImage, PAUSE_IMAGE } from '../images/index.js';
import { deleteLink, ensureBlackholeRoutes, removeBlackholeRoutes } from './host-network.js';
import { nodePodCIDR } from './pod-cidr.js';

/** NodeAgentOptions configure a node agent. */
export interface NodeAgentOptions {
  client: Client;
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
  log: (msg: string) => void;
}

/** NodeAgent is the server component (or `skiff agent` process) running a node. */
export class NodeAgent {
  readonly name = 'node-agent';
  readonly #o: NodeAgentOptions;
  #supervisor?: ContainerdSupervisor;
  #cri?: CriClient;
  #kubelet?: Kubelet;
  #addedRoutes: string[] = [];

  constructor(opts: NodeAgentOptions) {
    this.#o = opts;
  }

  /** kubelet is the running Kubelet (for streaming and tests). */
  get kubelet(): Kubelet | undefined {
    return this.#kubelet;
  }

  /** start brings the node up and resolves once its kubelet is syncing pods. */
  async start(signal: AbortSignal): Promise<void> {
    const o = this.#o;
    const nodeName = o.nodeName ?? hostname().toLowerCase();
    const podCIDR = await nodePodCIDR(o.client, nodeName, o.clusterCIDR);
    this.#addedRoutes = [...new Set([...readRoutes(this.#routesFile), ...ensureBlackholeRoutes([o.clusterCIDR, o.serviceCIDR])])];
    // Remember them across crashes, so a cleanup after a restart still removes what this node added.
    writeFileSync(this.#routesFile, JSON.stringify(this.#addedRoutes));
    let socket = o.containerRuntimeEndpoint?.replace(/^unix:\/\//, '');
    if (!socket) {
      this.#supervisor = new ContainerdSupervisor({ dataDir: o.dataDir, podCIDR, log: o.log });
      await this.#supervisor.start();
      socket = this.#supervisor.socketPath;
    }
    this.#cri = await CriClient.connect(socket);
    await this.#ensurePauseImage(socket);
    this.#kubelet = new Kubelet({
      client: o.client, runtime: this.#cri, images: this.#cri, nodeName, dataDir: o.dataDir, hostIP: o.hostIP, podCIDR,
      clusterDNS: [o.clusterDNS ?? nthAddress(o.serviceCIDR, 10)], cgroupRoot: `/skiff-${dataDirTag(o.dataDir)}`,
      crashBackoff: o.crashBackoff, imageBackoff: o.imageBackoff, log: o.log,
    });
    await this.#kubelet.start(signal);
    o.log(`node agent: node ${nodeName} up with pod CIDR ${podCIDR}`);
  }

  get #routesFile(): string {
    return join(this.#o.dataDir, 'agent-routes.json');
  }

  /** stop ends the kubelet and containerd; pods keep running unless cleanupOnExit. */
  async stop(): Promise<void> {
    const t0 = Date.now();
    await this.#kubelet?.stop();
    if (this.#o.cleanupOnExit) await this.#kubelet?.removeAllPods().catch((err) => this.#o.log(`node agent: removing pods: ${(err as Error).message}`));
    this.#cri?.close();
    await this.#supervisor?.stop();
    if (this.#o.cleanupOnExit) {
      if (this.#supervisor) deleteLink(this.#supervisor.bridgeName);
      removeBlackholeRoutes(this.#addedRoutes);
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

/** nthAddress returns the n-th address of an IPv4 CIDR (10 is the cluster DNS by convention). */
export function nthAddress(cidr: string, n: number): string {
  const p = cidr.split('/')[0].split('.').map(Number);
  const v = (((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3] + n) >>> 0;
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}
