// SPDX-License-Identifier: Apache-2.0
/**
 * The node IPAM controller's range allocator, after upstream
 * pkg/controller/nodeipam/ipam/range_allocator.go: every Node without a
 * podCIDR gets the next free /24 of the cluster CIDR in spec.podCIDR and
 * spec.podCIDRs; ranges already held by Nodes (seen in the cache) are
 * occupied, and a deleted Node's range is released. Allocating is
 * synchronous up to the write, so two Nodes registering at once never get
 * the same range. A full cluster CIDR is reported as upstream's
 * CIDRNotAvailable event on the Node.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import type { EventRecorder } from '../../client/index.js';
import type { InformerFactory, SharedInformer } from '../../client/index.js';
import type { Clock } from '../../client/index.js';
import { isNotFound } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';
import { cidrContains, subnets24 } from './cidr-set.js';

/** NodeIpamControllerOptions are the dependencies of a NodeIpamController. */
export interface NodeIpamControllerOptions {
  client: Client;
  factory: InformerFactory;
  /** clusterCIDR is the range pod CIDRs come from (upstream --cluster-cidr). */
  clusterCIDR: string;
  recorder?: EventRecorder;
  clock?: Clock;
  log?: (msg: string) => void;
}

/** NodeIpamController assigns pod CIDRs to Nodes. */
export class NodeIpamController extends Reconciler {
  readonly #client: Client;
  readonly #nodes: SharedInformer<KubeObject & Node>;
  readonly #subnets: string[];
  readonly #clusterCIDR: string;
  readonly #recorder?: EventRecorder;
  /** pending maps a node to the range being written to it, so a concurrent sync never hands it out again. */
  readonly #pending = new Map<string, string>();

  constructor(opts: NodeIpamControllerOptions) {
    super({ name: 'node-ipam-controller', clock: opts.clock, log: opts.log });
    this.#client = opts.client;
    this.#clusterCIDR = opts.clusterCIDR;
    this.#subnets = subnets24(opts.clusterCIDR);
    this.#recorder = opts.recorder;
    this.#nodes = opts.factory.informer<KubeObject & Node>(R.nodes);
    this.#nodes.addEventHandler({
      onAdd: (n) => this.#maybeEnqueue(n),
      onUpdate: (_old, n) => this.#maybeEnqueue(n),
    });
  }

  #maybeEnqueue(node: KubeObject & Node): void {
    if (!node.spec?.podCIDR && !node.metadata.deletionTimestamp) this.enqueue(node.metadata.name!);
  }

  /** sync gives the node a free range if it has none. */
  async sync(name: string): Promise<void> {
    const node = this.#nodes.get(name);
    if (!node || node.spec?.podCIDR || node.metadata.deletionTimestamp) return;
    const used = new Set(this.#pending.values());
    for (const n of this.#nodes.list()) {
      for (const c of n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])) if (cidrContains(this.#clusterCIDR, c)) used.add(c);
    }
    const free = this.#pending.get(name) ?? this.#subnets.find((s) => !used.has(s));
    if (!free) {
      this.#recorder?.event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
      return;
    }
    this.#pending.set(name, free);
    try {
      await this.#client.patch(R.nodes, name, 'merge', { spec: { podCIDR: free, podCIDRs: [free] } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    } finally {
      this.#pending.delete(name);
    }
  }
}
