// SPDX-License-Identifier: Apache-2.0
/**
 * The status a Job's sync builds up, and the decisions read off it: whether
 * the Job has succeeded, how many pods should be active, which Indexed pods
 * must go and which indexes to start (upstream pkg/controller/job
 * job_controller.go manageJob and indexed_job_utils.go).
 */
import { isPodActive } from '../pod-status.js';
import { completionIndexOf, isIndexed, isPodSucceeded, parseIndexes, type JobObj, type PodObj } from './job-pod.js';
import type { Condition } from './job-conditions.js';
import { rfc3339 } from '../../machinery/index.js';

/** WorkingStatus is the status a sync builds up (writable copies of the lists). */
export interface WorkingStatus {
  succeeded: number;
  failed: number;
  uncounted: { succeeded: string[]; failed: string[] };
  completed: Set<number>;
  conditions: Condition[];
  startTime?: string;
  completionTime?: string;
}

/** workingStatus starts a sync's status from the Job's (writable copies of its lists). */
export function workingStatus(job: JobObj): WorkingStatus {
  const s = job.status ?? {};
  return {
    succeeded: s.succeeded ?? 0,
    failed: s.failed ?? 0,
    uncounted: { succeeded: [...(s.uncountedTerminatedPods?.succeeded ?? [])], failed: [...(s.uncountedTerminatedPods?.failed ?? [])] },
    completed: parseIndexes(s.completedIndexes),
    conditions: (s.conditions ?? []).map((c) => ({ ...c })),
    startTime: s.startTime,
    completionTime: s.completionTime,
  };
}

/** finishedAt is when the pod's last container terminated (the failure time back-off counts from). */
export function finishedAt(pod: PodObj): number | undefined {
  let last: number | undefined;
  for (const c of pod.status?.containerStatuses ?? []) {
    const t = Date.parse(c.state?.terminated?.finishedAt ?? '');
    if (!Number.isNaN(t)) last = Math.max(last ?? 0, t);
  }
  return last;
}

/** jobSucceeded: completions reached; without completions, any success once nothing runs (the work-queue pattern). */
export function jobSucceeded(job: JobObj, pods: readonly PodObj[], st: WorkingStatus): boolean {
  const completions = job.spec?.completions;
  if (isIndexed(job)) return completions !== undefined && st.completed.size >= completions;
  const succeeded = st.succeeded + st.uncounted.succeeded.length;
  if (completions === undefined || completions === null) return succeeded > 0 && pods.filter(isPodActive).length === 0;
  return succeeded >= completions;
}

/** wantActive is parallelism, capped by what is left to complete (upstream manageJob). */
export function wantActive(job: JobObj, active: readonly PodObj[], pods: readonly PodObj[], st: WorkingStatus): number {
  const parallelism = job.spec?.parallelism ?? 1;
  const completions = job.spec?.completions;
  // With podReplacementPolicy Failed, a terminating pod still holds its slot.
  const terminating = job.spec?.podReplacementPolicy === 'Failed' ? pods.filter((p) => p.metadata.deletionTimestamp && !isPodSucceeded(p) && p.status?.phase !== 'Failed').length : 0;
  if (completions === undefined || completions === null) return st.succeeded + st.uncounted.succeeded.length > 0 ? active.length : Math.max(0, parallelism - terminating);
  const done = isIndexed(job) ? st.completed.size : st.succeeded + st.uncounted.succeeded.length;
  return Math.max(0, Math.min(parallelism, completions - done) - terminating);
}

/** excessIndexed picks active pods of Indexed jobs that must go: bad, completed or duplicated indexes. */
export function excessIndexed(job: JobObj, active: readonly PodObj[], st: WorkingStatus): PodObj[] {
  const seen = new Set<number>();
  const out: PodObj[] = [];
  for (const p of active) {
    const ix = completionIndexOf(p);
    if (ix < 0 || ix >= (job.spec?.completions ?? 0) || st.completed.has(ix) || seen.has(ix)) out.push(p);
    else seen.add(ix);
  }
  return out;
}

/** indexesToCreate picks n indexes to start pods for (-1 each for NonIndexed jobs): incomplete ones nothing runs for. */
export function indexesToCreate(job: JobObj, active: readonly PodObj[], st: WorkingStatus, n: number): number[] {
  if (!isIndexed(job)) return new Array<number>(n).fill(-1);
  const busy = new Set(active.map(completionIndexOf));
  const out: number[] = [];
  for (let i = 0; i < (job.spec?.completions ?? 0) && out.length < n; i++) if (!st.completed.has(i) && !busy.has(i)) out.push(i);
  return out;
}
