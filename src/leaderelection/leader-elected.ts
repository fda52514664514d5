// SPDX-License-Identifier: Apache-2.0
/**
 * leaderElected runs a component only while this server holds its Lease, as
 * kube-controller-manager and kube-scheduler run their loops inside
 * leaderelection's OnStartedLeading. Each term gets a fresh component from
 * `make` (informers, queues and caches start empty and sync again), and it
 * is stopped the moment the term ends.
 */
import type { Client } from '../client/index.js';
import type { Component } from '../machinery/index.js';
import { LeaderElector, type LeaderElectionTiming } from './leader-elector.js';

/** LEADER_ELECTION_NAMESPACE is where upstream's components keep their leases. */
export const LEADER_ELECTION_NAMESPACE = 'kube-system';

export interface LeaderElectedOptions extends LeaderElectionTiming {
  client: Client;
  /** The Lease's name in kube-system (upstream: kube-controller-manager, kube-scheduler). */
  lease: string;
  identity: string;
  log?: (msg: string) => void;
}

/** LeaderElectedComponent is a Component plus what tests and status read: whether it leads now, and who does. */
export interface LeaderElectedComponent extends Component {
  readonly elector: LeaderElector;
}

export function leaderElected(name: string, make: () => Component, o: LeaderElectedOptions): LeaderElectedComponent {
  const abort = new AbortController();
  let running: Promise<void> | undefined;
  let current: Component | undefined;
  let firstTermStarted!: () => void;
  const firstTerm = new Promise<void>((r) => (firstTermStarted = r));
  const elector = new LeaderElector({
    client: o.client,
    namespace: LEADER_ELECTION_NAMESPACE,
    name: o.lease,
    identity: o.identity,
    leaseDurationMs: o.leaseDurationMs,
    renewDeadlineMs: o.renewDeadlineMs,
    retryPeriodMs: o.retryPeriodMs,
    log: o.log,
    onStartedLeading: async (signal) => {
      current = make();
      o.log?.(`${name}: leading (lease ${LEADER_ELECTION_NAMESPACE}/${o.lease})`);
      try {
        await current.start(signal);
      } finally {
        firstTermStarted();
      }
    },
    onStoppedLeading: async () => {
      const c = current;
      current = undefined;
      try {
        await c?.stop?.();
      } catch (err) {
        o.log?.(`${name}: stopping after the lease ended: ${(err as Error).message}`);
      }
    },
    onNewLeader: (holder) => {
      if (holder !== o.identity) o.log?.(`${name}: the leader is ${holder}`);
    },
  });
  return {
    name,
    elector,
    async start(signal) {
      signal.addEventListener('abort', () => abort.abort(), { once: true });
      // Campaigning runs in the background: a standby server is up and serving without leading. A server
      // that takes the lease at its first try (a lone server, or a restart) starts the component before
      // it reports ready, so its controllers have synced by then, as without leader election.
      running = elector.run(abort.signal);
      if (await elector.firstAttempt) await firstTerm;
    },
    async stop() {
      abort.abort();
      await running;
    },
  };
}
