// SPDX-License-Identifier: Apache-2.0
/**
 * The DaemonSet strategy: apps/v1 SetDefaults_DaemonSet (RollingUpdate with
 * maxUnavailable 1, maxSurge 0), ValidateDaemonSetSpec and the immutable
 * selector of apps/v1.
 */
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject, type KubeObject } from '../../api/index.js';
import {
  intOrPercentValue,
  isNotMoreThan100Percent,
  validateImmutableField,
  validateNonnegativeField,
  validatePositiveIntOrPercent,
} from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { validatePodTemplateForSelector } from './pod-spec-validation.js';
import { defaultTemplate, readSpec, selectorOf, specRecord, validateWorkloadSelector } from './workload-common.js';

/** defaultDaemonSet applies apps/v1 daemonset defaults. */
export function defaultDaemonSet(obj: KubeObject): void {
  const spec = specRecord(obj);
  if (!isPlainObject(spec.updateStrategy)) spec.updateStrategy = {};
  const us = spec.updateStrategy as Record<string, unknown>;
  us.type ||= 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    if (!isPlainObject(us.rollingUpdate)) us.rollingUpdate = {};
    const ru = us.rollingUpdate as Record<string, unknown>;
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultTemplate(spec.template);
}

function validateRollingUpdate(ru: Record<string, unknown>, path: string): FieldError[] {
  const errs = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, `${path}.maxUnavailable`),
    ...validatePositiveIntOrPercent(ru.maxSurge, `${path}.maxSurge`),
    ...isNotMoreThan100Percent(ru.maxUnavailable, `${path}.maxUnavailable`),
    ...isNotMoreThan100Percent(ru.maxSurge, `${path}.maxSurge`),
  ];
  const hasUnavailable = (intOrPercentValue(ru.maxUnavailable) ?? 0) !== 0;
  const hasSurge = (intOrPercentValue(ru.maxSurge) ?? 0) !== 0;
  if (hasUnavailable && hasSurge) errs.push(field.invalid(`${path}.maxSurge`, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
  if (!hasUnavailable && !hasSurge) errs.push(field.required(`${path}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
  return errs;
}

function validateUpdateStrategy(s: unknown, path: string): FieldError[] {
  const us = isPlainObject(s) ? s : {};
  if (us.type === 'OnDelete') return [];
  if (us.type !== 'RollingUpdate') return [field.notSupported(`${path}.type`, us.type ?? '', ['OnDelete', 'RollingUpdate'])];
  if (!isPlainObject(us.rollingUpdate)) return [field.required(`${path}.rollingUpdate`, '')];
  return validateRollingUpdate(us.rollingUpdate, `${path}.rollingUpdate`);
}

/** daemonSetStrategy is the ResourceStrategy of apps/v1 DaemonSets. */
export const daemonSetStrategy: ResourceStrategy = {
  default: defaultDaemonSet,
  validate(obj) {
    const spec = readSpec(obj);
    const errs = validateWorkloadSelector(spec.selector, 'spec.selector', 'daemonset');
    errs.push(...validatePodTemplateForSelector(spec.template, selectorOf(spec.selector), 'spec.template', { restartPolicies: ['Always'], forbidActiveDeadline: false }));
    errs.push(...validateNonnegativeField(spec.minReadySeconds, 'spec.minReadySeconds'));
    errs.push(...validateNonnegativeField(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
    errs.push(...validateUpdateStrategy(spec.updateStrategy, 'spec.updateStrategy'));
    return errs;
  },
  validateUpdate: (obj, old) => validateImmutableField(readSpec(obj).selector, readSpec(old).selector, 'spec.selector'),
};
