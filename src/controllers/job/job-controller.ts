// SPDX-License-Identifier: Apache-2.0
/**
 * The Job controller, after upstream pkg/controller/job: run `parallelism`
 * pods until `completions` succeed (or, for Indexed jobs, one success per
 * index), retrying failures with back-off until backoffLimit; fail at
 * activeDeadlineSeconds; suspend and resume. Terminated pods are counted
 * through status.uncountedTerminatedPods before their tracking finalizer is
 * removed, so a count survives the pod's deletion and is never doubled.
 */
import type { JobStatus } from 'kubernetes-types/batch/v1.js';
import { deepClone, deepEqual, type KubeObject } from '../../api/index.js';
import { labelSelectorMatches } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import type { EventRecorder } from '../../client/index.js';
import { keyOf, splitKey, type InformerFactory, type SharedInformer } from '../../client/index.js';
import { systemClock, type Clock } from '../../client/index.js';
import { isNotFound, rfc3339 } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';
import { controllerRefOf } from '../controller-ref.js';
import { ControllerExpectations } from '../expectations.js';
import { isPodActive, isPodReady } from '../pod-status.js';
import { podsToDelete } from '../replicaset/pod-ranking.js';
import { claimObjects } from '../claim-objects.js';
import { BackoffStore } from './job-backoff.js';
import { Completed, JobPodWrites, Resumed, Suspended } from './job-pod-writes.js';
import { excessIndexed, finishedAt, indexesToCreate, jobSucceeded, wantActive, workingStatus, type WorkingStatus } from './job-working-status.js';
import {
  BACKOFF_LIMIT_MESSAGE, BackoffLimitExceeded, COMPLETIONS_REACHED_MESSAGE, CompletionsReached, DEADLINE_MESSAGE, DeadlineExceeded, isFinished, setCondition, trueCondition,
} from './job-conditions.js';
import {
  completionIndexOf, formatIndexes, hasTrackingFinalizer, isIndexed, isPodFailed, isPodSucceeded, type JobObj, type PodObj,
} from './job-pod.js';

/** MAX_POD_CREATE_DELETE_PER_SYNC is upstream's MaxPodCreateDeletePerSync. */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

/** JobControllerOptions are the dependencies of a JobController. */
export interface JobControllerOptions {
  client: Client;
  factory: InformerFactory;
  recorder: EventRecorder;
  clock?: Clock;
  log?: (msg: string) => void;
}

/** JobController reconciles Jobs with their pods. */
export class JobController extends Reconciler {
  readonly expectations: ControllerExpectations;
  readonly #client: Client;
  readonly #recorder: EventRecorder;
  readonly #clock: Clock;
  readonly #jobs: SharedInformer<JobObj>;
  readonly #pods: SharedInformer<PodObj>;
  readonly #backoff = new BackoffStore();
  readonly #podWrites: JobPodWrites;

  constructor(opts: JobControllerOptions) {
    super({ name: 'job-controller', clock: opts.clock, log: opts.log, maxRetries: 15 });
    this.#client = opts.client;
    this.#recorder = opts.recorder;
    this.#clock = opts.clock ?? systemClock;
    this.expectations = new ControllerExpectations(this.#clock);
    this.#podWrites = new JobPodWrites(this.#client, this.#recorder, this.expectations);
    this.#jobs = opts.factory.informer<JobObj>(R.jobs);
    this.#pods = opts.factory.informer<PodObj>(R.pods);
    this.#jobs.addEventHandler({
      onAdd: (j) => this.enqueue(keyOf(j)),
      onUpdate: (_o, j) => this.enqueue(keyOf(j)),
      onDelete: (j) => {
        this.expectations.delete(keyOf(j));
        this.#backoff.delete(keyOf(j));
        this.enqueue(keyOf(j));
      },
    });
    this.#pods.addEventHandler({
      onAdd: (p) => this.#podChanged(p, 'add'),
      onUpdate: (old, p) => this.#podChanged(p, old.metadata.deletionTimestamp || !p.metadata.deletionTimestamp ? 'update' : 'delete'),
      onDelete: (p) => this.#podChanged(p, 'delete'),
    });
  }

  /** podChanged enqueues the pod's Job; a pod whose Job is gone but which still has our finalizer is enqueued under that Job's key to be released. */
  #podChanged(pod: PodObj, what: 'add' | 'update' | 'delete'): void {
    const ref = controllerRefOf(pod);
    if (!ref) {
      if (what === 'delete') return;
      for (const j of this.#jobs.listNamespace(pod.metadata.namespace ?? '')) if (labelSelectorMatches(j.spec?.selector, pod.metadata.labels)) this.enqueue(keyOf(j));
      return;
    }
    if (ref.kind !== 'Job') return;
    const key = `${pod.metadata.namespace}/${ref.name}`;
    if (this.#jobs.get(key)?.metadata.uid === ref.uid) {
      if (what === 'add' && !pod.metadata.deletionTimestamp) this.expectations.creationObserved(key);
      if (what === 'delete') this.expectations.deletionObserved(key, keyOf(pod));
    }
    this.enqueue(key);
  }

  /** sync makes one reconcile step for the Job at key. */
  async sync(key: string): Promise<void> {
    const cached = this.#jobs.get(key);
    await this.#releaseOrphans(key, cached?.metadata.uid);
    if (!cached) return;
    let job = cached;
    const pods = await claimObjects({
      client: this.#client, ref: R.pods, ownerRef: R.jobs, owner: job, apiVersion: 'batch/v1', kind: 'Job', selector: job.spec?.selector, candidates: this.#pods.listNamespace(job.metadata.namespace ?? ''),
    });
    if (isFinished(job)) {
      await this.#podWrites.removeFinalizers(pods.filter(hasTrackingFinalizer));
      return;
    }
    const st = workingStatus(job);
    job = await this.#trackTerminated(key, job, pods, st);
    const finishing = this.#finishingCondition(job, pods, st);
    let activeDelta = 0;
    if (finishing) {
      await this.#podWrites.deleteActive(key, job, pods.filter(isPodActive));
    } else {
      activeDelta = await this.#manage(key, job, pods, st);
    }
    await this.#writeStatus(job, pods, st, activeDelta);
    this.#requeueForDeadline(key, job, st);
  }

  /**
   * trackTerminated counts newly terminated pods: first into
   * uncountedTerminatedPods (written), then their finalizers go, then the
   * uids move to the succeeded/failed counters (upstream
   * trackJobStatusAndRemoveFinalizers).
   */
  async #trackTerminated(key: string, job: JobObj, pods: readonly PodObj[], st: WorkingStatus): Promise<JobObj> {
    const counted = new Set([...st.uncounted.succeeded, ...st.uncounted.failed]);
    const failedAt: number[] = [];
    let succeeded = 0;
    for (const p of pods) {
      if (!hasTrackingFinalizer(p) || counted.has(p.metadata.uid!)) continue;
      if (isPodSucceeded(p)) {
        st.uncounted.succeeded.push(p.metadata.uid!);
        succeeded++;
        const ix = completionIndexOf(p);
        if (isIndexed(job) && ix >= 0 && ix < (job.spec?.completions ?? 0)) st.completed.add(ix);
      } else if (isPodFailed(p, job)) {
        st.uncounted.failed.push(p.metadata.uid!);
        failedAt.push(finishedAt(p) ?? this.#clock.now());
      }
    }
    if (succeeded + failedAt.length > 0) {
      this.#backoff.observe(key, succeeded, failedAt);
      job = await this.#putStatus(job, { ...(job.status ?? {}), completedIndexes: this.#indexes(job, st), uncountedTerminatedPods: { ...st.uncounted } });
    }
    const pending = new Set([...st.uncounted.succeeded, ...st.uncounted.failed]);
    const released = await this.#podWrites.removeFinalizers(pods.filter((p) => hasTrackingFinalizer(p) && pending.has(p.metadata.uid!)));
    const held = new Set(pods.filter((p) => hasTrackingFinalizer(p) && !released.has(p.metadata.uid!)).map((p) => p.metadata.uid!));
    st.succeeded += st.uncounted.succeeded.filter((u) => !held.has(u)).length;
    st.failed += st.uncounted.failed.filter((u) => !held.has(u)).length;
    st.uncounted = { succeeded: st.uncounted.succeeded.filter((u) => held.has(u)), failed: st.uncounted.failed.filter((u) => held.has(u)) };
    return job;
  }

  #indexes(job: JobObj, st: WorkingStatus): string | undefined {
    return isIndexed(job) ? formatIndexes(st.completed) : undefined;
  }

  /** finishingCondition sets FailureTarget or SuccessCriteriaMet when the Job has reached an end; it returns whether one is set. */
  #finishingCondition(job: JobObj, pods: readonly PodObj[], st: WorkingStatus): boolean {
    if (trueCondition(st.conditions, 'FailureTarget') || trueCondition(st.conditions, 'SuccessCriteriaMet')) return true;
    const now = this.#clock.now();
    const stamp = rfc3339(now);
    const failed = st.failed + st.uncounted.failed.length;
    const ads = job.spec?.activeDeadlineSeconds;
    if (failed > (job.spec?.backoffLimit ?? 6)) {
      st.conditions = setCondition(st.conditions, 'FailureTarget', 'True', BackoffLimitExceeded, BACKOFF_LIMIT_MESSAGE, stamp);
      return true;
    }
    if (ads !== undefined && st.startTime && !job.spec?.suspend && now - Date.parse(st.startTime) >= ads * 1000) {
      st.conditions = setCondition(st.conditions, 'FailureTarget', 'True', DeadlineExceeded, DEADLINE_MESSAGE, stamp);
      return true;
    }
    if (jobSucceeded(job, pods, st)) {
      st.conditions = setCondition(st.conditions, 'SuccessCriteriaMet', 'True', CompletionsReached, COMPLETIONS_REACHED_MESSAGE, stamp);
      return true;
    }
    return false;
  }

  /** manage creates or deletes pods toward the wanted active count; it returns the change in active pods. */
  async #manage(key: string, job: JobObj, pods: readonly PodObj[], st: WorkingStatus): Promise<number> {
    const active = pods.filter(isPodActive);
    const stamp = rfc3339(this.#clock.now());
    if (job.spec?.suspend) {
      if (!trueCondition(st.conditions, 'Suspended')) {
        st.conditions = setCondition(st.conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', stamp);
        void this.#recorder.event(job, 'Normal', Suspended, 'Job suspended');
      }
      return -(await this.#podWrites.deleteActive(key, job, active));
    }
    if (trueCondition(st.conditions, 'Suspended')) {
      st.conditions = setCondition(st.conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', stamp);
      st.startTime = stamp;
      void this.#recorder.event(job, 'Normal', Resumed, 'Job resumed');
    }
    st.startTime ??= stamp;
    if (!this.expectations.satisfied(key)) return 0;
    const excess = isIndexed(job) ? excessIndexed(job, active, st) : [];
    const keep = active.filter((p) => !excess.includes(p));
    const want = wantActive(job, keep, pods, st);
    if (keep.length > want) excess.push(...podsToDelete(keep, keep, Math.min(keep.length - want, MAX_POD_CREATE_DELETE_PER_SYNC)));
    if (excess.length > 0) return -(await this.#podWrites.deleteActive(key, job, excess));
    if (keep.length >= want) return 0;
    const wait = this.#backoff.remainingMs(key, this.#clock.now());
    if (wait > 0) {
      this.queue.addAfter(key, wait);
      return 0;
    }
    return this.#podWrites.createPods(key, job, indexesToCreate(job, keep, st, Math.min(want - keep.length, MAX_POD_CREATE_DELETE_PER_SYNC)));
  }

  /** releaseOrphans frees pods that still carry our finalizer but whose Job is gone or was replaced by a namesake. */
  async #releaseOrphans(key: string, uid: string | undefined): Promise<void> {
    const { namespace, name } = splitKey(key);
    const orphans = this.#pods.listNamespace(namespace).filter((p) => {
      const ref = controllerRefOf(p);
      return ref?.kind === 'Job' && ref.name === name && ref.uid !== uid && hasTrackingFinalizer(p);
    });
    if (orphans.length === 0) return;
    if (uid === undefined) {
      // The cache may lag: make sure the Job is really gone before letting its pods go uncounted.
      try {
        const live = await this.#client.get(R.jobs, name, { namespace });
        if (orphans.every((p) => controllerRefOf(p)?.uid === live.metadata.uid)) return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    await this.#podWrites.removeFinalizers(orphans);
  }

  /** writeStatus writes active/ready/terminating counts, counters, conditions and, once nothing runs, the terminal condition. */
  async #writeStatus(job: JobObj, pods: readonly PodObj[], st: WorkingStatus, activeDelta: number): Promise<void> {
    const active = pods.filter(isPodActive);
    const terminating = pods.filter((p) => p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
    const status: JobStatus & Record<string, unknown> = {
      ...(job.status ?? {}),
      active: Math.max(0, active.length + activeDelta),
      ready: active.filter(isPodReady).length,
      terminating,
      succeeded: st.succeeded,
      failed: st.failed,
      uncountedTerminatedPods: st.uncounted,
      startTime: st.startTime,
      conditions: st.conditions,
    };
    if (isIndexed(job)) status.completedIndexes = formatIndexes(st.completed);
    const settled = active.length + activeDelta <= 0 && terminating === 0 && st.uncounted.succeeded.length + st.uncounted.failed.length === 0;
    if (settled) this.#terminalCondition(job, st, status);
    for (const k of Object.keys(status)) if (status[k] === undefined) delete status[k];
    if (deepEqual(status, job.status ?? {})) return;
    await this.#putStatus(job, status);
  }

  /** terminalCondition turns an interim condition into Complete or Failed, with its Event (upstream enactJobFinished). */
  #terminalCondition(job: JobObj, st: WorkingStatus, status: JobStatus & Record<string, unknown>): void {
    const stamp = rfc3339(this.#clock.now());
    const failure = trueCondition(st.conditions, 'FailureTarget');
    if (failure) {
      status.conditions = setCondition(st.conditions, 'Failed', 'True', failure.reason ?? '', failure.message ?? '', stamp);
      void this.#recorder.event(job, 'Warning', failure.reason ?? 'Failed', failure.message ?? '');
    } else if (trueCondition(st.conditions, 'SuccessCriteriaMet')) {
      status.conditions = setCondition(st.conditions, 'Complete', 'True', CompletionsReached, COMPLETIONS_REACHED_MESSAGE, stamp);
      status.completionTime = stamp;
      void this.#recorder.event(job, 'Normal', Completed, 'Job completed');
    }
  }

  async #putStatus(job: JobObj, status: Record<string, unknown>): Promise<JobObj> {
    const copy = deepClone(job) as KubeObject;
    copy.status = status;
    return (await this.#client.update(R.jobs, copy, { namespace: job.metadata.namespace, subresource: 'status' })) as JobObj;
  }

  #requeueForDeadline(key: string, job: JobObj, st: WorkingStatus): void {
    const ads = job.spec?.activeDeadlineSeconds;
    if (ads === undefined || !st.startTime || job.spec?.suspend) return;
    const left = Date.parse(st.startTime) + ads * 1000 - this.#clock.now();
    if (left > 0) this.queue.addAfter(key, left);
  }
}
