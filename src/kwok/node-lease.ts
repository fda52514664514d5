// SPDX-License-Identifier: Apache-2.0
/**
 * NodeLeaseRenewer keeps one Lease per simulated node fresh in
 * kube-node-lease with the kubelet's renewNodeLease (client/node-lease),
 * renewTime bumped every renew interval. Renewals are spread over the interval instead of
 * fired together, so 5000 nodes cost a steady trickle of writes.
 */
import type { Client, Clock } from '../client/index.js';
import { renewNodeLease } from '../client/index.js';


interface Entry {
  uid: string;
  nextAt: number;
  busy: boolean;
}

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
    this.#nodes.set(name, { uid, nextAt: this.#opts.clock.now(), busy: false });
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
      // Jitter the next renewal within 10% of the interval so nodes drift apart, as wait.JitterUntil does for the kubelet.
      e.nextAt = now + interval * (0.9 + Math.random() * 0.1);
      void this.renew(name, e.uid, now).finally(() => (e.busy = false));
    }
    this.#arm(Math.max(10, Math.min(1000, interval / 10)));
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
