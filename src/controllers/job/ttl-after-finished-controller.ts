// SPDX-License-Identifier: Apache-2.0
/**
 * The TTL-after-finished controller (upstream pkg/controller/ttlafterfinished):
 * a finished Job with spec.ttlSecondsAfterFinished is deleted, with its
 * pods (foreground propagation), that many seconds after it finished.
 */
import { R, type Client } from '../../client/index.js';
import { keyOf, type InformerFactory, type SharedInformer } from '../../client/index.js';
import { systemClock, type Clock } from '../../client/index.js';
import { isNotFound, isConflict } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';
import { trueCondition } from './job-conditions.js';
import type { JobObj } from './job-pod.js';

/** TTLAfterFinishedControllerOptions are the dependencies of a TTLAfterFinishedController. */
export interface TTLAfterFinishedControllerOptions {
  client: Client;
  factory: InformerFactory;
  clock?: Clock;
  log?: (msg: string) => void;
}

/** finishedAt is when a Job finished (its Complete or Failed condition's transition), in ms; undefined while it runs. */
export function finishedAt(job: JobObj): number | undefined {
  const c = trueCondition(job.status?.conditions, 'Complete') ?? trueCondition(job.status?.conditions, 'Failed');
  if (!c) return undefined;
  const t = Date.parse(c.lastTransitionTime ?? '');
  return Number.isNaN(t) ? undefined : t;
}

/** TTLAfterFinishedController deletes finished Jobs once their TTL has passed. */
export class TTLAfterFinishedController extends Reconciler {
  readonly #client: Client;
  readonly #clock: Clock;
  readonly #jobs: SharedInformer<JobObj>;

  constructor(opts: TTLAfterFinishedControllerOptions) {
    super({ name: 'ttl-after-finished-controller', clock: opts.clock, log: opts.log, maxRetries: 15 });
    this.#client = opts.client;
    this.#clock = opts.clock ?? systemClock;
    this.#jobs = opts.factory.informer<JobObj>(R.jobs);
    this.#jobs.addEventHandler({ onAdd: (j) => this.#maybeEnqueue(j), onUpdate: (_o, j) => this.#maybeEnqueue(j) });
  }

  #maybeEnqueue(job: JobObj): void {
    if (job.spec?.ttlSecondsAfterFinished !== undefined && !job.metadata.deletionTimestamp && finishedAt(job) !== undefined) this.enqueue(keyOf(job));
  }

  /** sync deletes the Job at key when its TTL has expired, or looks again when it will. */
  async sync(key: string): Promise<void> {
    const job = this.#jobs.get(key);
    if (!job || job.metadata.deletionTimestamp) return;
    const ttl = job.spec?.ttlSecondsAfterFinished;
    const done = finishedAt(job);
    if (ttl === undefined || done === undefined) return;
    const left = done + ttl * 1000 - this.#clock.now();
    if (left > 0) {
      this.queue.addAfter(key, left);
      return;
    }
    // The cached copy may be stale (the TTL may have been raised): re-read before deleting, as upstream does.
    let fresh: JobObj;
    try {
      fresh = (await this.#client.get(R.jobs, job.metadata.name!, { namespace: job.metadata.namespace })) as JobObj;
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const freshTtl = fresh.spec?.ttlSecondsAfterFinished;
    const freshDone = finishedAt(fresh);
    if (freshTtl === undefined || freshDone === undefined || freshDone + freshTtl * 1000 > this.#clock.now()) return this.#maybeEnqueue(fresh);
    try {
      await this.#client.delete(R.jobs, fresh.metadata.name!, { namespace: fresh.metadata.namespace, propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid, resourceVersion: fresh.metadata.resourceVersion } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}
