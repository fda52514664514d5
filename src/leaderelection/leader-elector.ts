// SPDX-License-Identifier: Apache-2.0
/**
 * LeaderElector elects one holder of a coordination.k8s.io Lease among
 * candidates, as client-go's tools/leaderelection does:
 * - a candidate polls every retryPeriod (with up to 20% jitter) and takes
 *   the lease when it is free (no holder, or released) or expired; expiry is
 *   judged by the local time at which this candidate last saw the lease
 *   record change, never by the holder's clock (clock skew between machines
 *   does not matter, only their rates);
 * - the holder renews every retryPeriod; when it has not managed to renew
 *   for renewDeadline (shorter than leaseDuration) it stops leading at once,
 *   before any other candidate can consider the lease expired;
 * - on a clean stop the holder releases the lease (empty holder, 1 s
 *   duration), so a successor takes over without waiting for expiry.
 * Every write is an update at the read resourceVersion, so two candidates
 * racing for an expired lease cannot both win.
 */
import { R, type Client } from '../client/index.js';
import type { KubeObject } from '../api/index.js';
import { isNotFound, StatusError } from '../machinery/index.js';

/** Upstream's defaults (kube-controller-manager and kube-scheduler --leader-elect-*). */
export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;
const JITTER_FACTOR = 1.2;

export interface LeaderElectionTiming {
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface LeaderElectorOptions extends LeaderElectionTiming {
  client: Client;
  namespace: string;
  name: string;
  /** identity names this candidate (upstream: hostname_uuid). */
  identity: string;
  /** onStartedLeading runs when this candidate becomes the holder; `signal` aborts the moment it stops holding. */
  onStartedLeading(signal: AbortSignal): Promise<void> | void;
  /** onStoppedLeading runs after a term ends (lost or released); it should stop whatever the term started. */
  onStoppedLeading?(): Promise<void> | void;
  /** onNewLeader reports every holder change this candidate observes (itself included). */
  onNewLeader?(identity: string): void;
  log?: (msg: string) => void;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}
type Lease = KubeObject & { spec?: LeaseSpec };

/** microTime renders a MicroTime as the API serves it (RFC 3339 with microseconds). */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/(\.\d{3})Z$/, '$1000Z');
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export class LeaderElector {
  readonly #o: LeaderElectorOptions;
  readonly #leaseDurationMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  /** The lease record as last read or written, and the local time it was first seen (client-go's observedRecord/observedTime). */
  #observed?: { key: string; spec: LeaseSpec; resourceVersion: string };
  #observedAt = 0;
  #leading = false;
  #reportedLeader = '';
  #firstAttempt: { promise: Promise<boolean>; resolve: (acquired: boolean) => void };

  constructor(o: LeaderElectorOptions) {
    this.#o = o;
    this.#leaseDurationMs = o.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.#renewDeadlineMs = o.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.#retryPeriodMs = o.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    if (!(this.#leaseDurationMs > this.#renewDeadlineMs)) throw new Error('leaseDuration must be greater than renewDeadline');
    if (!(this.#renewDeadlineMs > JITTER_FACTOR * this.#retryPeriodMs)) throw new Error('renewDeadline must be greater than retryPeriod*1.2');
    let resolve!: (acquired: boolean) => void;
    this.#firstAttempt = { promise: new Promise<boolean>((r) => (resolve = r)), resolve };
  }

  /** firstAttempt says whether this candidate's first try took the lease (a lone server leads at once). */
  get firstAttempt(): Promise<boolean> {
    return this.#firstAttempt.promise;
  }

  /** isLeader says whether this candidate holds the lease now. */
  get isLeader(): boolean {
    return this.#leading;
  }

  /** leader is the holder this candidate last observed ('' when none). */
  get leader(): string {
    return this.#observed?.spec.holderIdentity ?? '';
  }

  /** run campaigns until signal aborts: acquire, lead until renewal fails, step down, campaign again. */
  async run(signal: AbortSignal): Promise<void> {
    const { log, namespace, name, identity } = this.#o;
    while (!signal.aborted) {
      if (!(await this.#acquire(signal))) break;
      log?.(`leaderelection: ${identity} acquired lease ${namespace}/${name}`);
      const term = new AbortController();
      const onAbort = () => term.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#leading = true;
      const leading = Promise.resolve()
        .then(() => this.#o.onStartedLeading(term.signal))
        .catch((err) => log?.(`leaderelection: ${name}: leading failed: ${(err as Error).message}`));
      await this.#renew(term.signal);
      this.#leading = false;
      term.abort();
      signal.removeEventListener('abort', onAbort);
      if (!signal.aborted) log?.(`leaderelection: ${identity} lost lease ${namespace}/${name}; stopped leading`);
      await leading;
      await this.#o.onStoppedLeading?.();
    }
    this.#firstAttempt.resolve(false);
    await this.#release();
  }

  /** acquire polls until this candidate holds the lease (true) or signal aborts (false). */
  async #acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      const acquired = await this.#tryAcquireOrRenew();
      this.#firstAttempt.resolve(acquired);
      if (acquired) return true;
      await sleep(this.#retryPeriodMs * (1 + Math.random() * (JITTER_FACTOR - 1)), signal);
    }
    return false;
  }

  /**
   * renew keeps renewing every retryPeriod; it returns when a renewal has not
   * succeeded for renewDeadline (or another candidate holds the lease), or
   * when `term` aborts (the server is stopping).
   */
  async #renew(term: AbortSignal): Promise<void> {
    let lastRenewed = Date.now();
    while (!term.aborted) {
      await sleep(this.#retryPeriodMs, term);
      if (term.aborted) return;
      const deadline = lastRenewed + this.#renewDeadlineMs;
      const renewed = await withDeadline(this.#tryAcquireOrRenew(), deadline - Date.now());
      if (renewed) {
        lastRenewed = Date.now();
        continue;
      }
      if (this.#observed && this.#observed.spec.holderIdentity !== this.#o.identity) return; // someone else holds it
      if (Date.now() >= deadline) return;
    }
  }

  /** tryAcquireOrRenew reads the lease once and takes or renews it when allowed; false on any failure. */
  async #tryAcquireOrRenew(): Promise<boolean> {
    const { client, namespace, name, identity } = this.#o;
    const now = Date.now();
    const spec: LeaseSpec = { holderIdentity: identity, leaseDurationSeconds: Math.ceil(this.#leaseDurationMs / 1000), acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 };
    try {
      let lease: Lease;
      try {
        lease = await client.get<Lease>(R.leases, name, { namespace });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const created = await client.create<Lease>(R.leases, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec }, { namespace });
        this.#observe(created, now);
        return true;
      }
      this.#observe(lease, now);
      const current = lease.spec ?? {};
      const heldByOther = !!current.holderIdentity && current.holderIdentity !== identity;
      if (heldByOther && this.#observedAt + this.#leaseDurationMs > now) return false;
      if (current.holderIdentity === identity) {
        spec.acquireTime = current.acquireTime ?? spec.acquireTime;
        spec.leaseTransitions = current.leaseTransitions ?? 0;
      } else {
        spec.leaseTransitions = (current.leaseTransitions ?? 0) + 1;
      }
      const updated = await client.update<Lease>(R.leases, { ...lease, spec: { ...current, ...spec } }, { namespace });
      this.#observe(updated, now);
      return true;
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) this.#o.log?.(`leaderelection: ${namespace}/${name}: ${(err as Error).message}`);
      return false;
    }
  }

  /** observe records the lease and, when its record changed, the local time of the change. */
  #observe(lease: Lease, now: number): void {
    const spec = lease.spec ?? {};
    const key = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.leaseTransitions, spec.leaseDurationSeconds]);
    if (this.#observed?.key !== key) this.#observedAt = now;
    this.#observed = { key, spec, resourceVersion: lease.metadata.resourceVersion ?? '' };
    const holder = spec.holderIdentity ?? '';
    if (holder !== this.#reportedLeader) {
      this.#reportedLeader = holder;
      if (holder) this.#o.onNewLeader?.(holder);
    }
  }

  /** release gives the lease up on a clean stop, as client-go's ReleaseOnCancel: no holder, a 1 s duration. */
  async #release(): Promise<void> {
    const { client, namespace, name, identity } = this.#o;
    if (this.#observed?.spec.holderIdentity !== identity) return;
    try {
      const lease = await client.get<Lease>(R.leases, name, { namespace });
      if (lease.spec?.holderIdentity !== identity) return;
      const now = microTime(Date.now());
      await client.update(R.leases, { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now } }, { namespace });
    } catch (err) {
      this.#o.log?.(`leaderelection: releasing ${namespace}/${name}: ${(err as Error).message}`);
    }
  }
}

/** withDeadline resolves false when `p` has not settled within ms (the call itself goes on, its result ignored). */
async function withDeadline(p: Promise<boolean>, ms: number): Promise<boolean> {
  if (ms <= 0) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
