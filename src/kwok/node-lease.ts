// SPDX-License-Identifier: Apache-2.0
/**
 * NodeLeaseRenewer keeps one Lease per simulated node fresh in
 * kube-node-lease with the kubelet's renewNodeLease (client/node-lease),
 * renewTime bumped every renew interval. Real kubelets are not
 * synchronised: each started at its own time and renews on its own
 * jittered period. So a node's first renewal (which creates its Lease) is
 * at once, its second at a random point of the interval, and the rest one
 * interval plus up to 4% apart (the lease controller's
 * wait.JitterUntil(renewInterval, 0.04)). 5000 nodes started together then
 * cost a steady trickle of writes instead of a burst every interval.
 */
import type { Client, Clock } from '../client/index.js';
import { renewNodeLease } from '../client/index.js';


interface Entry {
  uid: string;
  nextAt: number;
  busy: boolean;
  /** renewed: the first renewal (the one that creates the Lease) is done, so the node has its own phase. */
  renewed: boolean;
}

/** JITTER_FACTOR is the lease controller's jitter: each period is the interval plus up to 4%. */
const JITTER_FACTOR = 0.04;

/** NodeLeaseRenewerOptions configures renewal. */
export interface NodeLeaseRenewerOptions {
  renewIntervalMs: number;
  leaseDurationSeconds: number;
  clock: Clock;
  log?: (msg: string) => void;
}

/** NodeLeaseRenewer renews the leases of the nodes it is told about. */
export class NodeLeaseRenewer {
  readonly #client: Client;
  readonly #opts: NodeLeaseRenewerOptions;
  readonly #nodes = new Map<string, Entry>();
  #timer?: unknown;
  #stopped = false;

  constructor(client: Client, opts: NodeLeaseRenewerOptions) {
    this.#client = client;
    this.#opts = opts;
  }

  /** track starts renewing a node's lease now. */
  track(name: string, uid: string): void {
    const cur = this.#nodes.get(name);
    if (cur) {
      cur.uid = uid;
      return;
    }
    this.#nodes.set(name, { uid, nextAt: this.#opts.clock.now(), busy: false, renewed: false });
    this.#arm(0);
  }

  /** untrack stops renewing a node's lease (the node is stopped or gone); the Lease then expires. */
  untrack(name: string): void {
    this.#nodes.delete(name);
  }

  /** stop ends renewals. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) this.#opts.clock.clearTimeout(this.#timer);
  }

  #arm(ms: number): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = this.#opts.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#tick();
    }, ms);
  }

  #tick(): void {
    const now = this.#opts.clock.now();
    const interval = this.#opts.renewIntervalMs;
    for (const [name, e] of this.#nodes) {
      if (e.busy || e.nextAt > now) continue;
      e.busy = true;
      e.nextAt = now + (e.renewed ? interval * (1 + Math.random() * JITTER_FACTOR) : interval * Math.random());
      e.renewed = true;
      void this.renew(name, e.uid, now).finally(() => (e.busy = false));
    }
    // Fine ticks, so renewals due at different times are written at different times.
    this.#arm(Math.max(10, Math.min(100, interval / 100)));
  }

  /** renew bumps (or creates) one node's Lease. */
  async renew(name: string, uid: string, nowMs: number): Promise<void> {
    try {
      await renewNodeLease(this.#client, name, uid, { nowMs, leaseDurationSeconds: this.#opts.leaseDurationSeconds });
    } catch (err) {
      this.#opts.log?.(`kwok: renewing lease of ${name}: ${(err as Error).message}`);
    }
  }
}
