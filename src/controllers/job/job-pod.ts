// SPDX-License-Identifier: Apache-2.0
/**
 * Job pods, after upstream pkg/controller/job (job_controller.go,
 * indexed_job_utils.go): pods carry the `batch.kubernetes.io/job-tracking`
 * finalizer until the controller has counted them; Indexed jobs give each
 * pod its completion index as an annotation and a label, a `<job>-<index>`
 * hostname and the JOB_COMPLETION_INDEX variable through the downward API.
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { deepClone, type KubeObject } from '../../api/index.js';
import { newControllerRef } from '../controller-ref.js';

/** JobObj is a batch/v1 Job as the cache holds it. */
export type JobObj = Omit<Job, 'metadata'> & KubeObject;
/** PodObj is a Pod as the cache holds it. */
export type PodObj = Pod & KubeObject;

/** JOB_TRACKING_FINALIZER keeps a pod until the Job controller has counted it. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** COMPLETION_INDEX_KEY is the annotation and label carrying an Indexed Job pod's index. */
export const COMPLETION_INDEX_KEY = 'batch.kubernetes.io/job-completion-index';
/** COMPLETION_INDEX_ENV is the variable holding the index inside containers. */
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

/** isIndexed reports completionMode: Indexed. */
export function isIndexed(job: JobObj): boolean {
  return job.spec?.completionMode === 'Indexed';
}

/** hasTrackingFinalizer reports whether the pod still waits to be counted. */
export function hasTrackingFinalizer(pod: PodObj): boolean {
  return pod.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) === true;
}

/** completionIndexOf reads a pod's index from its annotation (label as fallback); -1 when absent or invalid. */
export function completionIndexOf(pod: PodObj): number {
  const v = pod.metadata.annotations?.[COMPLETION_INDEX_KEY] ?? pod.metadata.labels?.[COMPLETION_INDEX_KEY];
  return v !== undefined && /^(0|[1-9][0-9]*)$/.test(v) ? Number(v) : -1;
}

/**
 * isPodFailed: phase Failed, or being deleted without having succeeded
 * (upstream counts deleted pods as failures, as such pods may never reach a
 * terminal phase). With podReplacementPolicy Failed only the phase counts.
 */
export function isPodFailed(pod: PodObj, job: JobObj): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (job.spec?.podReplacementPolicy === 'Failed') return false;
  return Boolean(pod.metadata.deletionTimestamp) && pod.status?.phase !== 'Succeeded';
}

/** isPodSucceeded: phase Succeeded. */
export function isPodSucceeded(pod: PodObj): boolean {
  return pod.status?.phase === 'Succeeded';
}

function withIndexEnv(c: Container): Container {
  const env = (c.env ?? []).filter((e) => e.name !== COMPLETION_INDEX_ENV);
  env.push({ name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX_KEY}']` } } });
  return { ...c, env };
}

/** newJobPod builds one pod from the Job's template (index ≥ 0 for Indexed jobs). */
export function newJobPod(job: JobObj, index: number): PodObj {
  const tpl = job.spec?.template;
  const spec = deepClone(tpl?.spec ?? { containers: [] });
  const pod: PodObj = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${job.metadata.name}-`,
      namespace: job.metadata.namespace,
      labels: { ...(tpl?.metadata?.labels ?? {}) },
      annotations: { ...(tpl?.metadata?.annotations ?? {}) },
      finalizers: [...new Set([...(tpl?.metadata?.finalizers ?? []), JOB_TRACKING_FINALIZER])],
      ownerReferences: [newControllerRef(job, 'batch/v1', 'Job')],
    },
    spec,
  };
  if (index >= 0) {
    pod.metadata.generateName = `${job.metadata.name}-${index}-`;
    pod.metadata.annotations![COMPLETION_INDEX_KEY] = String(index);
    pod.metadata.labels![COMPLETION_INDEX_KEY] = String(index);
    spec.hostname ??= `${job.metadata.name}-${index}`;
    spec.containers = spec.containers.map(withIndexEnv);
    if (spec.initContainers) spec.initContainers = spec.initContainers.map(withIndexEnv);
  }
  if (Object.keys(pod.metadata.annotations!).length === 0) delete pod.metadata.annotations;
  return pod;
}

/** parseIndexes reads `1,3-5` into a set of indexes (status.completedIndexes). */
export function parseIndexes(s: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',')) {
    if (!part) continue;
    const [a, b] = part.split('-').map(Number);
    for (let i = a; i <= (b ?? a); i++) out.add(i);
  }
  return out;
}

/** formatIndexes renders indexes as upstream's compressed intervals (`0-2,4`). */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
