// SPDX-License-Identifier: Apache-2.0
/**
 * CronJob schedule arithmetic, after upstream pkg/controller/cronjob/utils.go:
 * the most recent activation a CronJob has missed (bounded by its last
 * schedule time, creation, and startingDeadlineSeconds), the next one, and
 * the names and annotations of the Jobs it creates.
 */
import type { CronJob } from 'kubernetes-types/batch/v1.js';
import type { KubeObject } from '../../api/index.js';
import type { CronSchedule } from '../../api/index.js';
import { rfc3339 } from '../../machinery/index.js';

/** CronJobObj is a batch/v1 CronJob as the cache holds it. */
export type CronJobObj = Omit<CronJob, 'metadata'> & KubeObject;

/** SCHEDULED_TIMESTAMP_ANNOTATION records on a Job the activation it was created for. */
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** TOO_MANY_MISSED is the count of missed activations above which upstream warns. */
export const TOO_MANY_MISSED = 100;

/** MostRecent is the latest missed activation (if any), how many were missed (capped above TOO_MANY_MISSED), and the next one. */
export interface MostRecent {
  scheduled?: Date;
  missed: number;
  next?: Date;
}

/** earliestTime is where missed activations are counted from (upstream mostRecentScheduleTime). */
export function earliestTime(cj: CronJobObj, now: number): number {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '') || now;
  const sds = cj.spec?.startingDeadlineSeconds;
  if (sds !== undefined && sds !== null) earliest = Math.max(earliest, now - sds * 1000);
  return earliest;
}

/** mostRecentScheduleTime finds the latest activation in (earliest, now]. */
export function mostRecentScheduleTime(cj: CronJobObj, sched: CronSchedule, now: number): MostRecent {
  const tz = cj.spec?.timeZone ?? undefined;
  const from = earliestTime(cj, now);
  let t = sched.next(new Date(from), tz);
  if (!t || t.getTime() > now) return { missed: 0, next: t };
  let missed = 1;
  for (let n = sched.next(t, tz); n && n.getTime() <= now; n = sched.next(t, tz)) {
    t = n;
    if (++missed > TOO_MANY_MISSED) {
      t = latestBefore(sched, tz, from, now) ?? t;
      break;
    }
  }
  return { scheduled: t, missed, next: sched.next(new Date(now), tz) };
}

/** latestBefore finds the last activation ≤ now by looking back over growing windows, so a long outage costs a few steps, not one per missed minute. */
function latestBefore(sched: CronSchedule, tz: string | undefined, from: number, now: number): Date | undefined {
  for (const w of [60e3, 3600e3, 86400e3, 32 * 86400e3, 366 * 86400e3, 5 * 366 * 86400e3]) {
    let t = sched.next(new Date(Math.max(from, now - w)), tz);
    if (!t || t.getTime() > now) continue;
    for (let n = sched.next(t, tz); n && n.getTime() <= now; n = sched.next(t, tz)) t = n;
    return t;
  }
  return undefined;
}

/** jobName is `<cronjob>-<scheduled time in minutes since the epoch>` (upstream getJobName). */
export function jobName(cj: CronJobObj, scheduled: Date): string {
  return `${cj.metadata.name}-${Math.floor(scheduled.getTime() / 60_000)}`;
}

/** scheduledTimestamp renders the activation in RFC 3339, in the CronJob's time zone when it has one (as upstream). */
export function scheduledTimestamp(scheduled: Date, timeZone: string | undefined): string {
  const utc = rfc3339(scheduled);
  if (!timeZone || timeZone === 'UTC' || timeZone === 'Etc/UTC') return utc;
  const offset = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(scheduled).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-]\d{2}):?(\d{2})?/.exec(offset);
  if (!m) return utc;
  const minutes = (Number(m[1].slice(1)) * 60 + Number(m[2] ?? 0)) * (m[1][0] === '-' ? -1 : 1);
  const local = new Date(scheduled.getTime() + minutes * 60_000).toISOString().replace(/\.\d+Z$/, '');
  return `${local}${m[1]}:${m[2] ?? '00'}`;
}
