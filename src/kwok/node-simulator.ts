// SPDX-License-Identifier: Apache-2.0
/**
 * NodeSimulator is the composer of simulated nodes (kwok's controller.go):
 * it creates the configured nodes, adopts any Node annotated
 * `skiff.dev/simulated: "true"`, keeps their status healthy and their
 * Leases renewed (unless told to stop), and hands their pods to the
 * PodSimulator.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import { InformerFactory, type SharedInformer } from '../client/index.js';
import { systemClock, type Clock } from '../client/index.js';
import { isAlreadyExists } from '../machinery/index.js';
import { podCIDRFor, PodIPPool } from './addresses.js';
import { isSimulated, isStopped } from './annotations.js';
import { NodeLeaseRenewer } from './node-lease.js';
import { adoptedNodeStatus, isHealthy, KUBELET_VERSION, newSimulatedNode, nodeConditions } from './node-template.js';
import { PodSimulator, type PodHost } from './pod-simulator.js';
import { ComponentLifecycle } from '../machinery/index.js';

/** SimulatedNodesOptions configures the simulator; only `count` is required. */
export interface SimulatedNodesOptions {
  count: number;
  namePrefix?: string;
  cpu?: string;
  memory?: string;
  pods?: number;
  ephemeralStorage?: string;
  labels?: Record<string, string>;
  leaseDurationSeconds?: number;
  /** leaseRenewIntervalMs: how often each node's Lease is renewed (default 10 s, the kubelet's). */
  leaseRenewIntervalMs?: number;
  /** nodeStatusIntervalMs: how often node conditions get a fresh heartbeat (default 5 min, the kubelet's nodeStatusReportFrequency). */
  nodeStatusIntervalMs?: number;
  informers?: InformerFactory;
  podWorkers?: number;
  clock?: Clock;
  log?: (msg: string) => void;
}

interface ManagedNode extends PodHost {
  name: string;
  /** index picks the invented addresses of a node that brought none. */
  index: number;
  pool: PodIPPool;
}

/** NodeSimulator runs simulated nodes and their pods. */
export class NodeSimulator {
  readonly name = 'simulated-nodes';
  readonly #client: Client;
  readonly #opts: SimulatedNodesOptions;
  readonly #clock: Clock;
  readonly #managed = new Map<string, ManagedNode>();
  readonly #leases: NodeLeaseRenewer;
  #nodes?: SharedInformer<KubeObject & Node>;
  #podSim?: PodSimulator;
  readonly #lifecycle = new ComponentLifecycle();
  #adoptedCount = 0;
  #statusTimer?: unknown;
  #runs: Promise<void>[] = [];

  constructor(client: Client, opts: SimulatedNodesOptions) {
    if (!Number.isInteger(opts.count) || opts.count < 0) throw new RangeError(`simulated node count must be a non-negative integer, got ${opts.count}`);
    this.#client = client;
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#leases = new NodeLeaseRenewer(client, {
      renewIntervalMs: opts.leaseRenewIntervalMs ?? 10_000,
      leaseDurationSeconds: opts.leaseDurationSeconds ?? 40,
      clock: this.#clock,
      log: opts.log,
    });
  }

  /** nodeName is the name of the i-th created node. */
  nodeName(i: number): string {
    return `${this.#opts.namePrefix ?? 'skiff-sim-'}${i}`;
  }

  /** managedNodes lists the names of the nodes this simulator runs. */
  managedNodes(): string[] {
    return [...this.#managed.keys()];
  }

  /** start creates the nodes, waits for the caches and starts heartbeats and pod workers. */
  async start(signal: AbortSignal): Promise<void> {
    const run = this.#lifecycle.begin(signal);
    const informers = this.#opts.informers ?? new InformerFactory(this.#client, { log: this.#opts.log });
    this.#nodes = informers.informer<KubeObject & Node>(R.nodes);
    const pods = informers.informer<KubeObject & Pod>(R.pods);
    pods.addIndexer('nodeName', (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
    this.#podSim = new PodSimulator(this.#client, { pods, hostOf: (n) => this.#managed.get(n), clock: this.#clock, workers: this.#opts.podWorkers, log: this.#opts.log });
    this.#nodes.addEventHandler({ onAdd: (n) => this.#observe(n), onUpdate: (_o, n) => this.#observe(n), onDelete: (n) => this.#forget(n.metadata.name ?? '') });
    // Starting is idempotent per informer, so a shared factory is safe to start again here.
    informers.start(run);
    await informers.waitForSync(run);
    this.#runs.push(this.#podSim.run(run));
    await this.createNodes();
    this.#armStatusRefresh();
  }

  /** stop ends heartbeats and pod workers. */
  async stop(): Promise<void> {
    this.#lifecycle.stop();
    this.#leases.stop();
    if (this.#statusTimer) this.#clock.clearTimeout(this.#statusTimer);
    await Promise.all(this.#runs);
  }

  /** createNodes creates the configured nodes that do not exist yet, a few at a time. */
  async createNodes(): Promise<void> {
    const shape = {
      cpu: this.#opts.cpu ?? '4',
      memory: this.#opts.memory ?? '16Gi',
      pods: this.#opts.pods ?? 110,
      ephemeralStorage: this.#opts.ephemeralStorage ?? '100Gi',
      labels: this.#opts.labels ?? {},
      kubeletVersion: KUBELET_VERSION,
    };
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < this.#opts.count; i = next++) {
        const name = this.nodeName(i);
        if (this.#nodes?.get(name)) continue;
        try {
          await this.#client.create(R.nodes, newSimulatedNode(name, i, shape, new Date(this.#clock.now())) as KubeObject);
        } catch (err) {
          if (!isAlreadyExists(err)) this.#opts.log?.(`kwok: creating node ${name}: ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
  }

  #observe(node: KubeObject & Node): void {
    const name = node.metadata.name ?? '';
    if (!isSimulated(node)) return this.#forget(name);
    let m = this.#managed.get(name);
    if (!m) {
      m = this.#manage(node);
      this.#podSim?.enqueueNode(name);
    }
    const stopped = isStopped(node);
    if (stopped !== !m.running) {
      m.running = !stopped;
      if (m.running) this.#podSim?.enqueueNode(name);
    }
    if (stopped) return this.#leases.untrack(name);
    this.#leases.track(name, node.metadata.uid ?? '');
    // A live kubelet posts Ready again after the node lifecycle controller marked it Unknown.
    if (!isHealthy(node) || !node.status?.nodeInfo?.kubeletVersion) void this.#writeStatus(node);
  }

  #manage(node: Node): ManagedNode {
    const name = node.metadata?.name ?? '';
    const index = this.#createdIndex(name) ?? this.#opts.count + this.#adoptedCount++;
    const pool = new PodIPPool(node.spec?.podCIDR ?? podCIDRFor(index));
    const m: ManagedNode = {
      name,
      index,
      pool,
      hostIP: '',
      running: true,
      podIP: (key) => pool.allocate(key) ?? '',
      release: (key) => pool.release(key),
    };
    const st = adoptedNodeStatus(node, index, new Date(this.#clock.now()));
    m.hostIP = st.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
    this.#managed.set(name, m);
    return m;
  }

  /** createdIndex is i for a node named nodeName(i) by this simulator. */
  #createdIndex(name: string): number | undefined {
    const prefix = this.#opts.namePrefix ?? 'skiff-sim-';
    if (!name.startsWith(prefix)) return undefined;
    const i = Number(name.slice(prefix.length));
    return Number.isInteger(i) && i >= 0 && i < this.#opts.count && this.nodeName(i) === name ? i : undefined;
  }

  #forget(name: string): void {
    if (!this.#managed.delete(name)) return;
    this.#leases.untrack(name);
  }

  async #writeStatus(node: Node): Promise<void> {
    const name = node.metadata?.name ?? '';
    const now = new Date(this.#clock.now());
    const index = this.#managed.get(name)?.index ?? 0;
    const status = isHealthy(node) ? { ...node.status, conditions: nodeConditions(now, node.status?.conditions) } : adoptedNodeStatus(node, index, now);
    try {
      await this.#client.patch(R.nodes, name, 'merge', { status }, { subresource: 'status' });
    } catch (err) {
      this.#opts.log?.(`kwok: status of node ${name}: ${(err as Error).message}`);
    }
  }

  /** Conditions get a fresh heartbeat now and then, as the kubelet's periodic status report. */
  #armStatusRefresh(): void {
    const period = this.#opts.nodeStatusIntervalMs ?? 300_000;
    this.#statusTimer = this.#clock.setTimeout(async () => {
      for (const m of this.#managed.values()) {
        const node = this.#nodes?.get(m.name);
        if (node && m.running && !this.#lifecycle.stopping) await this.#writeStatus(node);
      }
      if (!this.#lifecycle.stopping) this.#armStatusRefresh();
    }, period);
  }
}
