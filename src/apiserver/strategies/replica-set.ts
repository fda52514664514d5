// SPDX-License-Identifier: Apache-2.0
/**
 * ReplicaSet (apps/v1) and ReplicationController (core/v1) strategies:
 * replicas default 1, selector rules, template restart policy Always; an
 * RC without a selector takes its template's labels, as upstream defaults.
 */
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject, type KubeObject } from '../../api/index.js';
import { validateImmutableField, validateNonnegativeField } from '../../api/index.js';
import { validateLabels } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { validatePodTemplateForSelector } from './pod-spec-validation.js';
import { defaultTemplate, readSpec, selectorOf, specRecord, validateWorkloadSelector } from './workload-common.js';

/** replicaSetStrategy is the ResourceStrategy of apps/v1 ReplicaSets. */
export const replicaSetStrategy: ResourceStrategy = {
  default(obj) {
    const spec = specRecord(obj);
    spec.replicas ??= 1;
    defaultTemplate(spec.template);
  },
  validate(obj) {
    const spec = readSpec(obj);
    const errs = validateNonnegativeField(spec.replicas, 'spec.replicas');
    errs.push(...validateNonnegativeField(spec.minReadySeconds, 'spec.minReadySeconds'));
    errs.push(...validateWorkloadSelector(spec.selector, 'spec.selector', 'deployment'));
    errs.push(...validatePodTemplateForSelector(spec.template, selectorOf(spec.selector), 'spec.template', { restartPolicies: ['Always'], forbidActiveDeadline: true }));
    return errs;
  },
  validateUpdate: (obj, old) => validateImmutableField(readSpec(obj).selector, readSpec(old).selector, 'spec.selector'),
};

function templateLabels(spec: Record<string, unknown>): Record<string, string> | undefined {
  const tpl = spec.template;
  if (!isPlainObject(tpl) || !isPlainObject(tpl.metadata)) return undefined;
  const labels = tpl.metadata.labels;
  return isPlainObject(labels) ? (labels as Record<string, string>) : undefined;
}

/** defaultReplicationController applies SetDefaults_ReplicationController. */
export function defaultReplicationController(obj: KubeObject): void {
  const spec = specRecord(obj);
  const labels = templateLabels(spec);
  if (labels) {
    if (!isPlainObject(spec.selector) || Object.keys(spec.selector).length === 0) spec.selector = { ...labels };
    if (!obj.metadata.labels || Object.keys(obj.metadata.labels).length === 0) obj.metadata.labels = { ...labels };
  }
  spec.replicas ??= 1;
  defaultTemplate(spec.template);
}

/** replicationControllerStrategy is the ResourceStrategy of core/v1 ReplicationControllers. */
export const replicationControllerStrategy: ResourceStrategy = {
  default: defaultReplicationController,
  validate(obj) {
    const spec = readSpec(obj);
    const errs: FieldError[] = validateNonnegativeField(spec.replicas, 'spec.replicas');
    errs.push(...validateNonnegativeField(spec.minReadySeconds, 'spec.minReadySeconds'));
    const sel = isPlainObject(spec.selector) ? (spec.selector as Record<string, string>) : {};
    if (Object.keys(sel).length === 0) errs.push(field.required('spec.selector', ''));
    else errs.push(...validateLabels(sel, 'spec.selector'));
    errs.push(
      ...validatePodTemplateForSelector(spec.template, { matchLabels: sel }, 'spec.template', {
        restartPolicies: ['Always'],
        forbidActiveDeadline: true,
        kindName: 'ReplicationController',
      }),
    );
    return errs;
  },
};
