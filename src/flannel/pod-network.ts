// SPDX-License-Identifier: Apache-2.0
/**
 * PodNetwork joins one node's pods to every other node's, as flannel with
 * its kube subnet manager does: it publishes this node's end (backend,
 * node address, VTEP MAC) in annotations on its Node, watches all Nodes,
 * and keeps one route (plus, for VXLAN, one neighbour and one forwarding
 * entry) per remote node that has a podCIDR and has published its end. The
 * VXLAN device is made when the first remote node appears, so a one-node
 * cluster touches nothing beyond its bridge. Reconciling is level-triggered
 * over the Node cache through a one-key work queue; failures retry with
 * back-off. Masquerading follows flannel's --ip-masq rules; the tunnel's own
 * datagrams skip conntrack (vxlan-notrack.ts).
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import { InformerFactory, type SharedInformer } from '../client/index.js';
import { WorkQueue } from '../client/index.js';
import { ownAnnotations, peerOf, type Backend, type Peer } from './backend-data.js';
import { addPeer, deleteVxlanDevice, ensureVxlanDevice, execRunner, removePeer, staleVxlanRoutes, VXLAN_DEVICE, type Runner } from './links.js';
import { applyMasquerade, removeMasquerade } from './masquerade.js';
import { applyVxlanNotrack, removeVxlanNotrack } from './vxlan-notrack.js';

/** PodNetworkOptions configure the pod network of one node. */
export interface PodNetworkOptions {
  /** client publishes this node's own end (its Node's annotations), as the kubelet's identity may. */
  client: Client;
  /**
   * nodesClient watches every Node: the node's network identity (default:
   * client). The Node authorizer lets a kubelet read only its own Node
   * (AuthorizeNodeWithSelectors), so flannel runs with its own credentials, as upstream's does.
   */
  nodesClient?: Client;
  nodeName: string;
  nodeIP: string;
  podCIDR: string;
  clusterCIDR: string;
  backend: Backend;
  /** chainPrefix names this node's iptables chain (per data dir, so test nodes sharing a machine never collide). */
  chainPrefix: string;
  /** cleanupOnExit removes the device, routes and rules on stop (tests); otherwise pods keep their network. */
  cleanupOnExit?: boolean;
  runner?: Runner;
  log: (msg: string) => void;
}

const SYNC_KEY = 'peers';

/** PodNetwork is the agent part that routes pod traffic between nodes. */
export class PodNetwork {
  readonly name = 'pod-network';
  readonly #o: PodNetworkOptions;
  readonly #run: Runner;
  readonly #queue = new WorkQueue({ baseDelayMs: 250, maxDelayMs: 10_000 });
  readonly #abort = new AbortController();
  readonly #applied = new Map<string, Peer>();
  #nodes?: SharedInformer<KubeObject & Node>;
  #factory?: InformerFactory;
  #worker?: Promise<void>;
  #device = false;
  #syncs = 0;

  constructor(opts: PodNetworkOptions) {
    this.#o = opts;
    this.#run = opts.runner ?? execRunner;
  }

  /** peers lists the remote nodes this node currently routes to. */
  get peers(): Peer[] {
    return [...this.#applied.values()];
  }

  /** syncs counts completed reconciles (tests wait on it). */
  get syncs(): number {
    return this.#syncs;
  }

  /** start publishes this node's end, sets masquerading and routes to the nodes known so far. */
  async start(signal: AbortSignal): Promise<void> {
    const client = this.#o.client;
    signal.addEventListener('abort', () => this.#abort.abort(), { once: true });
    const o = this.#o;
    await client.patch(R.nodes, o.nodeName, 'merge', { metadata: { annotations: ownAnnotations(o.backend, o.nodeIP, o.nodeName) } });
    applyMasquerade(this.#run, this.#chain, o.clusterCIDR, o.podCIDR);
    this.#factory = new InformerFactory(o.nodesClient ?? client, { log: o.log });
    this.#nodes = this.#factory.informer<KubeObject & Node>(R.nodes);
    const kick = () => this.#queue.add(SYNC_KEY);
    this.#nodes.addEventHandler({ onAdd: kick, onUpdate: kick, onDelete: kick });
    this.#factory.start(this.#abort.signal);
    if (!(await this.#factory.waitForSync(this.#abort.signal))) return;
    await this.#syncOnce().catch((err: Error) => {
      o.log(`pod network: first sync failed, retrying: ${err.message}`);
      this.#queue.addRateLimited(SYNC_KEY);
    });
    this.#worker = this.#work();
  }

  get #chain(): string {
    return `${this.#o.chainPrefix}-POSTRTG`;
  }

  get #notrackChain(): string {
    return `${this.#o.chainPrefix}-NOTRACK`;
  }

  async #work(): Promise<void> {
    for (;;) {
      const key = await this.#queue.get();
      if (key === undefined) return;
      try {
        await this.#syncOnce();
        this.#queue.forget(key);
      } catch (err) {
        this.#o.log(`pod network: sync failed, retrying: ${(err as Error).message}`);
        this.#queue.addRateLimited(key);
      } finally {
        this.#queue.done(key);
      }
    }
  }

  /** syncOnce makes the kernel's routes match the remote nodes in the cache. */
  async #syncOnce(): Promise<void> {
    if (this.#abort.signal.aborted || !this.#nodes) return;
    const o = this.#o;
    const wanted = new Map<string, Peer>();
    for (const node of this.#nodes.list()) {
      const peer = peerOf(node);
      if (!peer || peer.name === o.nodeName || peer.podCIDR === o.podCIDR) continue;
      // The backend is a cluster-wide choice; this node's decides how it reaches the others.
      if (o.backend === 'vxlan' && !peer.vtepMAC) continue;
      wanted.set(peer.name, { ...peer, backend: o.backend });
    }
    for (const [name, old] of this.#applied) {
      const now = wanted.get(name);
      if (now && samePeer(now, old)) continue;
      removePeer(this.#run, old);
      this.#applied.delete(name);
      if (!now) o.log(`pod network: removed routes to node ${name} (${old.podCIDR})`);
    }
    if (wanted.size > 0 && o.backend === 'vxlan' && !this.#device) {
      ensureVxlanDevice(this.#run, { nodeName: o.nodeName, nodeIP: o.nodeIP, podCIDR: o.podCIDR });
      applyVxlanNotrack(this.#run, this.#notrackChain, o.nodeIP);
      this.#device = true;
      // A device kept from before a restart may still route to nodes deleted meanwhile.
      for (const dst of staleVxlanRoutes(this.#run, new Set([...wanted.values()].map((p) => p.podCIDR)))) {
        this.#run('ip', ['route', 'del', dst, 'dev', VXLAN_DEVICE]);
        o.log(`pod network: removed stale route ${dst}`);
      }
    }
    for (const [name, peer] of wanted) {
      if (this.#applied.has(name)) continue;
      addPeer(this.#run, peer);
      this.#applied.set(name, peer);
      o.log(`pod network: ${peer.backend} route to node ${name}: ${peer.podCIDR} via ${peer.publicIP}`);
    }
    this.#syncs++;
  }

  /** stop ends the watch; with cleanupOnExit it removes routes, the device and the masquerade chain. */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#queue.shutDown();
    await this.#worker;
    await this.#factory?.stopped();
    if (!this.#o.cleanupOnExit) return;
    for (const peer of this.#applied.values()) removePeer(this.#run, peer);
    this.#applied.clear();
    if (this.#device) {
      deleteVxlanDevice(this.#run);
      removeVxlanNotrack(this.#run, this.#notrackChain);
    }
    this.#device = false;
    removeMasquerade(this.#run, this.#chain);
  }
}

function samePeer(a: Peer, b: Peer): boolean {
  return a.publicIP === b.publicIP && a.podCIDR === b.podCIDR && a.vtepMAC === b.vtepMAC && a.backend === b.backend;
}
