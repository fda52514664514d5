// SPDX-License-Identifier: Apache-2.0
/**
 * The CronJob strategy: batch/v1 SetDefaults_CronJob and
 * validateCronJobSpec (schedule parsed as robfig/cron, TZ prefixes refused in
 * favour of timeZone, concurrencyPolicy, job template rules), plus the
 * 52-character name limit (Job names get an 11-character suffix).
 */
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject, type KubeObject } from '../../api/index.js';
import { validateNonnegativeField } from '../../api/index.js';
import { CronParseError, isKnownTimeZone, parseCronSchedule } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { validateJobSpecCommon } from './job.js';
import { defaultTemplate, readSpec, specRecord } from './workload-common.js';

/** CRONJOB_NAME_MAX_LENGTH leaves room for the scheduled-time suffix of created Jobs. */
export const CRONJOB_NAME_MAX_LENGTH = 52;

/** defaultCronJob applies batch/v1 cronjob defaults. */
export function defaultCronJob(obj: KubeObject): void {
  const spec = specRecord(obj);
  spec.concurrencyPolicy ||= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  const jt = spec.jobTemplate;
  if (isPlainObject(jt) && isPlainObject(jt.spec)) defaultTemplate(jt.spec.template);
}

function validateSchedule(schedule: unknown): FieldError[] {
  if (typeof schedule !== 'string' || schedule === '') return [field.required('spec.schedule', '')];
  try {
    parseCronSchedule(schedule);
  } catch (e) {
    if (!(e instanceof CronParseError)) throw e;
    return [field.invalid('spec.schedule', schedule, e.message)];
  }
  return [];
}

/** validateScheduleTimeZone refuses TZ prefixes, except on objects that already had one (upstream allowTZInSchedule). */
function validateScheduleTimeZone(schedule: unknown, allowTZ: boolean, timeZone: unknown): FieldError[] {
  if (typeof schedule !== 'string' || !schedule.includes('TZ')) return [];
  if (allowTZ && timeZone !== undefined && timeZone !== null) {
    return [field.invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule')];
  }
  return allowTZ ? [] : [field.invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead')];
}

function validateTimeZone(tz: unknown): FieldError[] {
  if (tz === undefined || tz === null) return [];
  const path = 'spec.timeZone';
  if (tz === '') return [field.invalid(path, tz, 'timeZone must be nil or non-empty string')];
  const s = String(tz);
  for (const part of s.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !/^[A-Za-z._+\-0-9]+$/.test(part)) return [field.invalid(path, tz, `unknown time zone ${s}`)];
  }
  if (s.toLowerCase() === 'local') return [field.invalid(path, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  return isKnownTimeZone(s) ? [] : [field.invalid(path, tz, `unknown time zone ${s}`)];
}

function validateJobTemplate(jt: unknown): FieldError[] {
  const tpl = isPlainObject(jt) ? jt : {};
  const spec = isPlainObject(tpl.spec) ? tpl.spec : {};
  const errs = validateJobSpecCommon(spec, 'spec.jobTemplate.spec');
  if (spec.selector !== undefined && spec.selector !== null) errs.push(field.invalid('spec.jobTemplate.spec.selector', spec.selector, '`selector` will be auto-generated'));
  if (spec.manualSelector === true) errs.push(field.notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  return errs;
}

function validateCronJobSpec(spec: Record<string, unknown>): FieldError[] {
  const errs = validateSchedule(spec.schedule);
  errs.push(...validateNonnegativeField(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  errs.push(...validateTimeZone(spec.timeZone));
  const cp = spec.concurrencyPolicy;
  if (!cp) errs.push(field.required('spec.concurrencyPolicy', ''));
  else if (!['Allow', 'Forbid', 'Replace'].includes(cp as string)) errs.push(field.notSupported('spec.concurrencyPolicy', cp, ['Allow', 'Forbid', 'Replace']));
  errs.push(...validateJobTemplate(spec.jobTemplate));
  errs.push(...validateNonnegativeField(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...validateNonnegativeField(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  return errs;
}

/** cronJobStrategy is the ResourceStrategy of batch/v1 CronJobs. */
export const cronJobStrategy: ResourceStrategy = {
  default: defaultCronJob,
  validate(obj) {
    const spec = readSpec(obj);
    const errs: FieldError[] = [];
    // On update (resourceVersion set) the name limit is skipped and the TZ rule needs the old object: validateUpdate checks it.
    const creating = !obj.metadata.resourceVersion;
    const name = obj.metadata.name ?? '';
    if (creating && name.length > CRONJOB_NAME_MAX_LENGTH) {
      errs.push(field.invalid('metadata.name', name, `must be no more than ${CRONJOB_NAME_MAX_LENGTH} characters`));
    }
    errs.push(...validateCronJobSpec(spec));
    if (creating) errs.push(...validateScheduleTimeZone(spec.schedule, false, spec.timeZone));
    return errs;
  },
  validateUpdate(obj, old) {
    const spec = readSpec(obj);
    const oldSchedule = readSpec(old).schedule;
    return validateScheduleTimeZone(spec.schedule, typeof oldSchedule === 'string' && oldSchedule.includes('TZ'), spec.timeZone);
  },
};
