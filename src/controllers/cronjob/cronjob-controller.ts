// SPDX-License-Identifier: Apache-2.0
/**
 * The CronJob controller, after upstream pkg/controller/cronjob
 * (cronjob_controllerv2.go): keep status.active in step with the Jobs it
 * owns, trim finished Jobs to the history limits, and, unless suspended,
 * create the Job of the most recent missed activation (within
 * startingDeadlineSeconds, under the concurrency policy). Each sync
 * requeues itself for the next activation; the clock is injectable.
 */
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import { deepClone, deepEqual, type KubeObject } from '../../api/index.js';
import { CronParseError, isKnownTimeZone, parseCronSchedule, type CronSchedule } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import type { EventRecorder } from '../../client/index.js';
import { keyOf, type InformerFactory, type SharedInformer } from '../../client/index.js';
import { systemClock, type Clock } from '../../client/index.js';
import { isAlreadyExists, isNotFound, rfc3339 } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';
import { controllerRefOf, newControllerRef } from '../controller-ref.js';
import { isFinished, trueCondition } from '../job/job-conditions.js';
import type { JobObj } from '../job/job-pod.js';
import { jobName, mostRecentScheduleTime, SCHEDULED_TIMESTAMP_ANNOTATION, scheduledTimestamp, TOO_MANY_MISSED, type CronJobObj } from './cron-schedule.js';

/** Event reasons, as upstream. */
export const SuccessfulCreate = 'SuccessfulCreate';
export const FailedCreate = 'FailedCreate';
export const SuccessfulDelete = 'SuccessfulDelete';
export const SawCompletedJob = 'SawCompletedJob';
export const MissSchedule = 'MissSchedule';
export const JobAlreadyActive = 'JobAlreadyActive';
export const UnexpectedJob = 'UnexpectedJob';
export const InvalidSchedule = 'InvalidSchedule';
export const UnknownTimeZone = 'UnknownTimeZone';
export const TooManyMissedTimes = 'TooManyMissedTimes';

/** NEXT_SCHEDULE_DELTA_MS is added to requeues so the sync lands just after the activation (upstream nextScheduleDelta). */
const NEXT_SCHEDULE_DELTA_MS = 100;

/** CronJobControllerOptions are the dependencies of a CronJobController. */
export interface CronJobControllerOptions {
  client: Client;
  factory: InformerFactory;
  recorder: EventRecorder;
  clock?: Clock;
  log?: (msg: string) => void;
}

/** Working is the status a sync builds up. */
interface Working {
  active: ObjectReference[];
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
}

/** CronJobController creates Jobs on schedule. */
export class CronJobController extends Reconciler {
  readonly #client: Client;
  readonly #recorder: EventRecorder;
  readonly #clock: Clock;
  readonly #cronJobs: SharedInformer<CronJobObj>;
  readonly #jobs: SharedInformer<JobObj>;

  constructor(opts: CronJobControllerOptions) {
    super({ name: 'cronjob-controller', clock: opts.clock, log: opts.log, maxRetries: 15 });
    this.#client = opts.client;
    this.#recorder = opts.recorder;
    this.#clock = opts.clock ?? systemClock;
    this.#cronJobs = opts.factory.informer<CronJobObj>(R.cronjobs);
    this.#jobs = opts.factory.informer<JobObj>(R.jobs);
    this.#cronJobs.addEventHandler({ onAdd: (c) => this.enqueue(keyOf(c)), onUpdate: (_o, c) => this.enqueue(keyOf(c)) });
    const jobChanged = (j: JobObj): void => {
      const ref = controllerRefOf(j);
      if (ref?.kind === 'CronJob') this.enqueue(`${j.metadata.namespace}/${ref.name}`);
    };
    this.#jobs.addEventHandler({ onAdd: jobChanged, onUpdate: (_o, j) => jobChanged(j), onDelete: jobChanged });
  }

  /** sync makes one reconcile step for the CronJob at key. */
  async sync(key: string): Promise<void> {
    const cj = this.#cronJobs.get(key);
    if (!cj || cj.metadata.deletionTimestamp) return;
    const jobs = this.#jobs.listNamespace(cj.metadata.namespace ?? '').filter((j) => controllerRefOf(j)?.uid === cj.metadata.uid);
    const w: Working = { active: [...(cj.status?.active ?? [])], lastScheduleTime: cj.status?.lastScheduleTime, lastSuccessfulTime: cj.status?.lastSuccessfulTime };
    await this.#reconcileActive(cj, jobs, w);
    await this.#cleanupFinished(cj, jobs);
    const nextAt = cj.spec?.suspend ? undefined : await this.#schedule(cj, w);
    await this.#writeStatus(cj, w);
    if (nextAt !== undefined) this.queue.addAfter(key, Math.max(0, nextAt - this.#clock.now()) + NEXT_SCHEDULE_DELTA_MS);
  }

  /** reconcileActive drops finished and vanished Jobs from status.active (upstream syncCronJob's first half). */
  async #reconcileActive(cj: CronJobObj, jobs: readonly JobObj[], w: Working): Promise<void> {
    const byUid = new Map(jobs.map((j) => [j.metadata.uid, j]));
    for (const j of jobs) {
      const listed = w.active.some((r) => r.uid === j.metadata.uid);
      if (!listed && !isFinished(j)) {
        void this.#recorder.event(cj, 'Warning', UnexpectedJob, `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
      } else if (listed && isFinished(j)) {
        const complete = trueCondition(j.status?.conditions, 'Complete');
        void this.#recorder.event(cj, 'Normal', SawCompletedJob, `Saw completed job: ${j.metadata.name}, condition: ${complete ? 'Complete' : 'Failed'}`);
        w.active = w.active.filter((r) => r.uid !== j.metadata.uid);
        const done = j.status?.completionTime;
        if (complete && done && (!w.lastSuccessfulTime || Date.parse(done) > Date.parse(w.lastSuccessfulTime))) w.lastSuccessfulTime = done;
      }
    }
    for (const ref of [...w.active]) {
      if (byUid.has(ref.uid)) continue;
      // The cache may not have the Job yet: ask the API before forgetting it.
      try {
        const j = await this.#client.get(R.jobs, ref.name!, { namespace: cj.metadata.namespace });
        if (j.metadata.uid === ref.uid) continue;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      w.active = w.active.filter((r) => r.uid !== ref.uid);
    }
  }

  /** cleanupFinished deletes the oldest finished Jobs beyond successful/failedJobsHistoryLimit. */
  async #cleanupFinished(cj: CronJobObj, jobs: readonly JobObj[]): Promise<void> {
    const started = (j: JobObj): number => Date.parse(j.status?.startTime ?? j.metadata.creationTimestamp ?? '') || 0;
    const finished = jobs.filter(isFinished).sort((a, b) => started(a) - started(b));
    const ok = finished.filter((j) => trueCondition(j.status?.conditions, 'Complete'));
    const failed = finished.filter((j) => !trueCondition(j.status?.conditions, 'Complete'));
    const excess = (list: JobObj[], limit: number | undefined | null): JobObj[] => (limit === undefined || limit === null ? [] : list.slice(0, Math.max(0, list.length - limit)));
    for (const j of [...excess(ok, cj.spec?.successfulJobsHistoryLimit), ...excess(failed, cj.spec?.failedJobsHistoryLimit)]) await this.#deleteJob(cj, j);
  }

  /** schedule creates the Job of the most recent missed activation if allowed; it returns when to look again (ms), if ever. */
  async #schedule(cj: CronJobObj, w: Working): Promise<number | undefined> {
    const sched = this.#parse(cj);
    if (!sched) return undefined;
    const now = this.#clock.now();
    const recent = mostRecentScheduleTime({ ...cj, status: { ...(cj.status ?? {}), lastScheduleTime: w.lastScheduleTime } }, sched, now);
    const next = recent.next?.getTime();
    if (!recent.scheduled && next === undefined) {
      // A schedule that parses but never fires (`59 23 31 2 *`): upstream's mostRecentScheduleTime finds two
      // equal (zero) activations and the sync records this, then waits for a spec change.
      void this.#recorder.event(cj, 'Warning', InvalidSchedule, `invalid schedule: ${cj.spec?.schedule} : time difference between two schedules is less than 1 second`);
      return undefined;
    }
    if (recent.missed > TOO_MANY_MISSED) {
      void this.#recorder.event(cj, 'Warning', TooManyMissedTimes, 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    const scheduled = recent.scheduled;
    if (!scheduled) return next;
    const sds = cj.spec?.startingDeadlineSeconds;
    if (sds !== undefined && sds !== null && scheduled.getTime() + sds * 1000 < now) {
      void this.#recorder.event(cj, 'Warning', MissSchedule, `Missed scheduled time to start a job: ${scheduled.toUTCString()}`);
      return next;
    }
    const name = jobName(cj, scheduled);
    if (w.active.some((r) => r.name === name) || (w.lastScheduleTime && Date.parse(w.lastScheduleTime) === scheduled.getTime())) return next;
    if (cj.spec?.concurrencyPolicy === 'Forbid' && w.active.length > 0) {
      void this.#recorder.event(cj, 'Normal', JobAlreadyActive, 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return next;
    }
    if (cj.spec?.concurrencyPolicy === 'Replace') {
      for (const ref of w.active) {
        const j = this.#jobs.get(`${cj.metadata.namespace}/${ref.name}`);
        if (j) await this.#deleteJob(cj, j);
      }
      w.active = [];
    }
    await this.#createJob(cj, scheduled, w);
    return next;
  }

  #parse(cj: CronJobObj): CronSchedule | undefined {
    const tz = cj.spec?.timeZone;
    if (tz && !isKnownTimeZone(tz)) {
      void this.#recorder.event(cj, 'Warning', UnknownTimeZone, `invalid timeZone: ${JSON.stringify(tz)}: unknown time zone ${tz}`);
      return undefined;
    }
    try {
      return parseCronSchedule(cj.spec?.schedule ?? '');
    } catch (err) {
      if (!(err instanceof CronParseError)) throw err;
      void this.#recorder.event(cj, 'Warning', InvalidSchedule, `invalid schedule: ${cj.spec?.schedule} : ${err.message}`);
      return undefined;
    }
  }

  async #createJob(cj: CronJobObj, scheduled: Date, w: Working): Promise<void> {
    const tpl = cj.spec?.jobTemplate;
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: jobName(cj, scheduled),
        namespace: cj.metadata.namespace,
        labels: { ...(tpl?.metadata?.labels ?? {}) },
        annotations: { ...(tpl?.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: scheduledTimestamp(scheduled, cj.spec?.timeZone) },
        ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
      },
      spec: deepClone(tpl?.spec ?? {}),
    };
    let created: KubeObject;
    try {
      created = await this.#client.create(R.jobs, job, { namespace: cj.metadata.namespace });
    } catch (err) {
      // Someone (or an earlier sync whose status write was lost) made it already.
      if (isAlreadyExists(err)) return;
      void this.#recorder.event(cj, 'Warning', FailedCreate, `Error creating job: ${(err as Error).message}`);
      throw err;
    }
    void this.#recorder.event(cj, 'Normal', SuccessfulCreate, `Created job ${created.metadata.name}`);
    const m = created.metadata;
    w.active.push({ apiVersion: 'batch/v1', kind: 'Job', name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion });
    w.lastScheduleTime = rfc3339(scheduled);
  }

  async #deleteJob(cj: CronJobObj, job: JobObj): Promise<void> {
    try {
      await this.#client.delete(R.jobs, job.metadata.name!, { namespace: job.metadata.namespace, propagationPolicy: 'Background' });
      void this.#recorder.event(cj, 'Normal', SuccessfulDelete, `Deleted job ${job.metadata.name}`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async #writeStatus(cj: CronJobObj, w: Working): Promise<void> {
    const status: Record<string, unknown> = { ...(cj.status ?? {}), active: w.active.length > 0 ? w.active : undefined, lastScheduleTime: w.lastScheduleTime, lastSuccessfulTime: w.lastSuccessfulTime };
    for (const k of Object.keys(status)) if (status[k] === undefined) delete status[k];
    if (deepEqual(status, cj.status ?? {})) return;
    const copy = deepClone(cj) as KubeObject;
    copy.status = status;
    try {
      await this.#client.update(R.cronjobs, copy, { namespace: cj.metadata.namespace, subresource: 'status' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
