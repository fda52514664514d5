// SPDX-License-Identifier: Apache-2.0
/**
 * Job conditions, as upstream 1.32 writes them: the interim
 * SuccessCriteriaMet / FailureTarget first, then the terminal Complete /
 * Failed once no pod is left running; Suspended while spec.suspend holds.
 */
import type { JobCondition } from 'kubernetes-types/batch/v1.js';
import type { JobObj } from './job-pod.js';

/** Reasons and messages, as upstream. */
export const CompletionsReached = 'CompletionsReached';
export const COMPLETIONS_REACHED_MESSAGE = 'Reached expected number of succeeded pods';
export const BackoffLimitExceeded = 'BackoffLimitExceeded';
export const BACKOFF_LIMIT_MESSAGE = 'Job has reached the specified backoff limit';
export const DeadlineExceeded = 'DeadlineExceeded';
export const DEADLINE_MESSAGE = 'Job was active longer than specified deadline';

/** Mutable is a writable JobCondition. */
export type Condition = { -readonly [K in keyof JobCondition]: JobCondition[K] };

/** conditionOf returns the condition of a type when its status is True. */
export function trueCondition(conditions: readonly JobCondition[] | undefined, type: string): JobCondition | undefined {
  return conditions?.find((c) => c.type === type && c.status === 'True');
}

/** isFinished: Complete or Failed is True. */
export function isFinished(job: JobObj): boolean {
  return Boolean(trueCondition(job.status?.conditions, 'Complete') || trueCondition(job.status?.conditions, 'Failed'));
}

/** setCondition adds or updates a condition, keeping lastTransitionTime when the status does not change. */
export function setCondition(conditions: Condition[], type: string, status: 'True' | 'False', reason: string, message: string, now: string): Condition[] {
  const old = conditions.find((c) => c.type === type);
  if (old && old.status === status && old.reason === reason && old.message === message) return conditions;
  const c: Condition = { type, status, reason, message, lastProbeTime: now, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now };
  return old ? conditions.map((x) => (x === old ? c : x)) : [...conditions, c];
}
