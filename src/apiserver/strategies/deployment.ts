// SPDX-License-Identifier: Apache-2.0
/**
 * The Deployment strategy: apps/v1 SetDefaults_Deployment, ValidateDeployment
 * and ValidateDeploymentUpdate (selector immutable in apps/v1), and the
 * generation bump upstream also gives annotation-only changes.
 */
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject, type KubeObject } from '../../api/index.js';
import {
  deepEqual,
  intOrPercentValue,
  isNotMoreThan100Percent,
  validateImmutableField,
  validateNonnegativeField,
  validatePositiveIntOrPercent,
} from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { validatePodTemplateForSelector } from './pod-spec-validation.js';
import { defaultTemplate, readSpec, selectorOf, specRecord, validateWorkloadSelector } from './workload-common.js';

/** defaultDeployment applies apps/v1 deployment defaults. */
export function defaultDeployment(obj: KubeObject): void {
  const spec = specRecord(obj);
  spec.replicas ??= 1;
  if (!isPlainObject(spec.strategy)) spec.strategy = {};
  const strategy = spec.strategy as Record<string, unknown>;
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    if (!isPlainObject(strategy.rollingUpdate)) strategy.rollingUpdate = {};
    const ru = strategy.rollingUpdate as Record<string, unknown>;
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultTemplate(spec.template);
}

/** validateRollingUpdateDeployment checks maxSurge/maxUnavailable as upstream. */
export function validateRollingUpdateDeployment(ru: Record<string, unknown>, path: string): FieldError[] {
  const errs = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, `${path}.maxUnavailable`),
    ...validatePositiveIntOrPercent(ru.maxSurge, `${path}.maxSurge`),
  ];
  if ((intOrPercentValue(ru.maxUnavailable) ?? 0) === 0 && (intOrPercentValue(ru.maxSurge) ?? 0) === 0) {
    errs.push(field.invalid(`${path}.maxUnavailable`, ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
  }
  errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, `${path}.maxUnavailable`));
  return errs;
}

function validateStrategy(s: unknown, path: string): FieldError[] {
  const strategy = isPlainObject(s) ? s : {};
  if (strategy.type === 'Recreate') {
    return strategy.rollingUpdate ? [field.forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")] : [];
  }
  if (strategy.type === 'RollingUpdate') {
    if (!isPlainObject(strategy.rollingUpdate)) return [field.required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil')];
    return validateRollingUpdateDeployment(strategy.rollingUpdate, `${path}.rollingUpdate`);
  }
  return [field.notSupported(`${path}.type`, strategy.type ?? '', ['Recreate', 'RollingUpdate'])];
}

/** validateDeploymentSpec is upstream's ValidateDeploymentSpec. */
export function validateDeploymentSpec(spec: Record<string, unknown>, path: string): FieldError[] {
  const errs = validateNonnegativeField(spec.replicas, `${path}.replicas`);
  errs.push(...validateWorkloadSelector(spec.selector, `${path}.selector`, 'deployment'));
  errs.push(...validatePodTemplateForSelector(spec.template, selectorOf(spec.selector), `${path}.template`, { restartPolicies: ['Always'], forbidActiveDeadline: true }));
  errs.push(...validateStrategy(spec.strategy, `${path}.strategy`));
  errs.push(...validateNonnegativeField(spec.minReadySeconds, `${path}.minReadySeconds`));
  errs.push(...validateNonnegativeField(spec.revisionHistoryLimit, `${path}.revisionHistoryLimit`));
  const pds = spec.progressDeadlineSeconds;
  if (typeof pds === 'number') {
    errs.push(...validateNonnegativeField(pds, `${path}.progressDeadlineSeconds`));
    if (pds <= ((spec.minReadySeconds as number | undefined) ?? 0)) errs.push(field.invalid(`${path}.progressDeadlineSeconds`, pds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

/** deploymentStrategy is the ResourceStrategy of apps/v1 Deployments. */
export const deploymentStrategy: ResourceStrategy = {
  default: defaultDeployment,
  prepareForUpdate(obj, old) {
    // Upstream bumps generation for annotation changes too (rollback and pause annotations drive the controller).
    if (deepEqual(obj.spec, old.spec) && !deepEqual(obj.metadata.annotations ?? {}, old.metadata.annotations ?? {})) {
      obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
    }
  },
  validate: (obj) => validateDeploymentSpec(readSpec(obj), 'spec'),
  validateUpdate: (obj, old) => validateImmutableField(readSpec(obj).selector, readSpec(old).selector, 'spec.selector'),
};
