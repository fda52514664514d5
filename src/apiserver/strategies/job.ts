// SPDX-License-Identifier: Apache-2.0
/**
 * The Job strategy: batch/v1 SetDefaults_Job, the generated selector and
 * labels of upstream's job strategy (controller-uid and job-name, legacy and
 * batch.kubernetes.io/ forms), ValidateJob and ValidateJobUpdate (selector,
 * completions, completionMode and template immutable).
 */
import { field, type FieldError } from '../../machinery/index.js';
import { deepClone, isPlainObject, type KubeObject } from '../../api/index.js';
import { deepEqual, validateImmutableField, validateNonnegativeField } from '../../api/index.js';
import { labelSelectorMatches, validateLabelSelector, type LabelSelector } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { validatePodTemplateSpec } from './pod-spec-validation.js';
import { defaultTemplate, readSpec, selectorOf, specRecord } from './workload-common.js';

/** Label keys upstream's job strategy stamps on generated selectors and pod templates. */
export const JOB_LABELS = {
  controllerUid: 'batch.kubernetes.io/controller-uid',
  legacyControllerUid: 'controller-uid',
  jobName: 'batch.kubernetes.io/job-name',
  legacyJobName: 'job-name',
} as const;

const MAX_PARALLELISM_FOR_INDEXED_JOB = 100000;

/** defaultJobSpec applies SetDefaults_Job's spec defaults (also used nowhere else: CronJob templates are not defaulted). */
function defaultJobSpec(spec: Record<string, unknown>): void {
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  const pfp = spec.podFailurePolicy;
  if (isPlainObject(pfp) && Array.isArray(pfp.rules)) {
    for (const rule of pfp.rules) {
      for (const pattern of isPlainObject(rule) && Array.isArray(rule.onPodConditions) ? rule.onPodConditions : []) {
        if (isPlainObject(pattern)) pattern.status ||= 'True';
      }
    }
  }
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  defaultTemplate(spec.template);
}

function templateLabelsOf(spec: Record<string, unknown>): Record<string, string> | undefined {
  const tpl = spec.template;
  if (!isPlainObject(tpl) || !isPlainObject(tpl.metadata) || !isPlainObject(tpl.metadata.labels)) return undefined;
  return tpl.metadata.labels as Record<string, string>;
}

/** defaultJob applies batch/v1 job defaults; a job without labels takes its template's labels. */
export function defaultJob(obj: KubeObject): void {
  const spec = specRecord(obj);
  defaultJobSpec(spec);
  const labels = templateLabelsOf(spec);
  if (labels && Object.keys(obj.metadata.labels ?? {}).length === 0) obj.metadata.labels = { ...labels };
}

/**
 * generateJobSelector stamps the uid and name labels on the template and
 * selects by uid, unless manualSelector is set (upstream generateSelector).
 * It needs metadata.uid, so it runs once the uid is assigned. Upstream's job
 * labels alias its template's labels when defaulted from them, so the
 * generated labels appear on the Job too; that is kept here.
 */
export function generateJobSelector(obj: KubeObject): void {
  const spec = specRecord(obj);
  const uid = obj.metadata.uid;
  if (spec.manualSelector === true || !uid) return;
  const before = templateLabelsOf(spec);
  const jobLabelsAliased = before !== undefined && deepEqual(obj.metadata.labels ?? {}, before);
  if (!isPlainObject(spec.template)) spec.template = {};
  const tpl = spec.template as Record<string, unknown>;
  if (!isPlainObject(tpl.metadata)) tpl.metadata = {};
  const meta = tpl.metadata as Record<string, unknown>;
  const labels = (isPlainObject(meta.labels) ? meta.labels : (meta.labels = {})) as Record<string, string>;
  const name = obj.metadata.name ?? '';
  labels[JOB_LABELS.legacyJobName] ??= name;
  labels[JOB_LABELS.jobName] ??= name;
  labels[JOB_LABELS.legacyControllerUid] ??= uid;
  labels[JOB_LABELS.controllerUid] ??= uid;
  if (!isPlainObject(spec.selector)) spec.selector = {};
  const sel = spec.selector as Record<string, unknown>;
  if (!isPlainObject(sel.matchLabels)) sel.matchLabels = {};
  (sel.matchLabels as Record<string, string>)[JOB_LABELS.controllerUid] ??= uid;
  if (jobLabelsAliased || Object.keys(obj.metadata.labels ?? {}).length === 0) obj.metadata.labels = { ...labels };
}

/** validateJobSpecCommon is upstream's validateJobSpec: everything but the selector. */
export function validateJobSpecCommon(spec: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes']) {
    errs.push(...validateNonnegativeField(spec[k], `${path}.${k}`));
  }
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(field.notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
  if (mode === 'Indexed') {
    if (spec.completions === undefined || spec.completions === null) errs.push(field.required(`${path}.completions`, 'when completion mode is Indexed'));
    if (typeof spec.parallelism === 'number' && spec.parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB) {
      errs.push(field.invalid(`${path}.parallelism`, spec.parallelism, `must be less than or equal to ${MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed`));
    }
  }
  const prp = spec.podReplacementPolicy;
  if (prp !== undefined && prp !== 'TerminatingOrFailed' && prp !== 'Failed') errs.push(field.notSupported(`${path}.podReplacementPolicy`, prp, ['Failed', 'TerminatingOrFailed']));
  errs.push(...validatePodTemplateSpec(spec.template, `${path}.template`));
  const tpl = isPlainObject(spec.template) ? spec.template : {};
  const rp = isPlainObject(tpl.spec) ? tpl.spec.restartPolicy : undefined;
  if (rp !== 'OnFailure' && rp !== 'Never') errs.push(field.notSupported(`${path}.template.spec.restartPolicy`, rp ?? '', ['OnFailure', 'Never']));
  return errs;
}

function validateJobSelector(spec: Record<string, unknown>): FieldError[] {
  if (spec.selector === undefined || spec.selector === null) return [field.required('spec.selector', '')];
  const errs = validateLabelSelector(spec.selector, 'spec.selector');
  const labels = templateLabelsOf(spec) ?? {};
  if (!labelSelectorMatches(selectorOf(spec.selector), labels)) {
    errs.push(field.invalid('spec.template.metadata.labels', templateLabelsOf(spec) ?? null, '`selector` does not match template `labels`'));
  }
  return errs;
}

function validateGeneratedSelector(obj: KubeObject, spec: Record<string, unknown>): FieldError[] {
  if (spec.manualSelector === true) return [];
  const labels = templateLabelsOf(spec);
  if (!labels) return [field.invalid('spec.template.metadata.labels', null, 'must contain controller-uid label')];
  const uid = obj.metadata.uid;
  const sel = selectorOf(spec.selector);
  if (!uid || !sel) return [];
  const uidLabels = { [JOB_LABELS.controllerUid]: uid, [JOB_LABELS.legacyControllerUid]: uid };
  return labelSelectorMatches(sel as LabelSelector, uidLabels) ? [] : [field.invalid('spec.selector', sel, '`selector` not auto-generated')];
}

const schedulingDirectives = ['nodeSelector', 'affinity', 'tolerations', 'schedulingGates'];

function validateTemplateUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const newTpl = readSpec(obj).template;
  const oldTpl = readSpec(old).template;
  // A suspended job that never started may change where its pods would run (upstream's mutable scheduling directives).
  const status = isPlainObject(old.status) ? old.status : {};
  if (readSpec(old).suspend === true && !status.startTime && isPlainObject(newTpl) && isPlainObject(oldTpl)) {
    const a = deepClone(newTpl);
    const b = deepClone(oldTpl);
    for (const t of [a, b]) {
      if (isPlainObject(t.spec)) for (const k of schedulingDirectives) delete t.spec[k];
      if (isPlainObject(t.metadata)) delete t.metadata.labels, delete t.metadata.annotations;
    }
    return deepEqual(a, b) ? [] : validateImmutableField(newTpl, oldTpl, 'spec.template');
  }
  return validateImmutableField(newTpl, oldTpl, 'spec.template');
}

/** jobStrategy is the ResourceStrategy of batch/v1 Jobs. */
export const jobStrategy: ResourceStrategy = {
  default: defaultJob,
  prepareForCreate(obj) {
    defaultJob(obj);
    // With generateName the name is not known yet; validate() generates the selector then, as upstream does.
    if (obj.metadata.name) generateJobSelector(obj);
  },
  validate(obj) {
    const spec = readSpec(obj);
    // Upstream generates the selector during validation because the uid is assigned after PrepareForCreate.
    if (spec.selector === undefined) generateJobSelector(obj);
    return [...validateGeneratedSelector(obj, readSpec(obj)), ...validateJobSpecCommon(readSpec(obj), 'spec'), ...validateJobSelector(readSpec(obj))];
  },
  validateUpdate(obj, old) {
    const spec = readSpec(obj);
    const oldSpec = readSpec(old);
    const errs: FieldError[] = [];
    const elastic = spec.completionMode === 'Indexed' && spec.completions === spec.parallelism && oldSpec.completions === oldSpec.parallelism;
    if (!elastic) errs.push(...validateImmutableField(spec.completions, oldSpec.completions, 'spec.completions'));
    errs.push(...validateImmutableField(spec.selector, oldSpec.selector, 'spec.selector'));
    errs.push(...validateTemplateUpdate(obj, old));
    for (const k of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy']) errs.push(...validateImmutableField(spec[k], oldSpec[k], `spec.${k}`));
    return errs;
  },
};
