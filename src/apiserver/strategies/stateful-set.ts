// SPDX-License-Identifier: Apache-2.0
/**
 * The StatefulSet strategy: apps/v1 SetDefaults_StatefulSet,
 * ValidateStatefulSetSpec, and the update rule that only replicas,
 * ordinals, template, updateStrategy, revisionHistoryLimit,
 * persistentVolumeClaimRetentionPolicy and minReadySeconds may change.
 */
import { field, type FieldError } from '../../machinery/index.js';
import { deepClone, isPlainObject, type KubeObject } from '../../api/index.js';
import { deepEqual, validateImmutableField, validateNonnegativeField, validatePositiveIntOrPercent } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { validatePodTemplateForSelector } from './pod-spec-validation.js';
import { defaultPersistentVolumeClaimSpec, validatePersistentVolumeClaimSpec } from './persistent-volume-claim.js';
import { defaultTemplate, readSpec, selectorOf, specRecord, validateWorkloadSelector } from './workload-common.js';

/** STATEFULSET_UPDATE_FORBIDDEN_MSG is upstream's message for a change to any other spec field. */
export const STATEFULSET_UPDATE_FORBIDDEN_MSG =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

/** defaultStatefulSet applies apps/v1 statefulset defaults, including those of its claim templates. */
export function defaultStatefulSet(obj: KubeObject): void {
  const spec = specRecord(obj);
  spec.podManagementPolicy ||= 'OrderedReady';
  if (!isPlainObject(spec.updateStrategy)) spec.updateStrategy = {};
  const us = spec.updateStrategy as Record<string, unknown>;
  us.type ||= 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    if (!isPlainObject(us.rollingUpdate)) us.rollingUpdate = {};
    (us.rollingUpdate as Record<string, unknown>).partition ??= 0;
  }
  if (!isPlainObject(spec.persistentVolumeClaimRetentionPolicy)) spec.persistentVolumeClaimRetentionPolicy = {};
  const rp = spec.persistentVolumeClaimRetentionPolicy as Record<string, unknown>;
  rp.whenDeleted ||= 'Retain';
  rp.whenScaled ||= 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  defaultTemplate(spec.template);
  for (const pvc of Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []) {
    if (!isPlainObject(pvc)) continue;
    if (isPlainObject(pvc.spec)) defaultPersistentVolumeClaimSpec(pvc.spec);
    if (!isPlainObject(pvc.status)) pvc.status = {};
    (pvc.status as Record<string, unknown>).phase ||= 'Pending';
  }
}

function validateUpdateStrategy(s: unknown, path: string): FieldError[] {
  const us = isPlainObject(s) ? s : {};
  if (us.type === 'OnDelete') return us.rollingUpdate ? [field.invalid(`${path}.rollingUpdate`, us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'")] : [];
  if (us.type !== 'RollingUpdate') return [field.notSupported(`${path}.type`, us.type ?? '', ['OnDelete', 'RollingUpdate'])];
  const ru = isPlainObject(us.rollingUpdate) ? us.rollingUpdate : {};
  return [...validateNonnegativeField(ru.partition, `${path}.rollingUpdate.partition`), ...validatePositiveIntOrPercent(ru.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`)];
}

/** validateStatefulSetSpec is upstream's ValidateStatefulSetSpec. */
export function validateStatefulSetSpec(spec: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  if (!['OrderedReady', 'Parallel'].includes(spec.podManagementPolicy as string)) {
    errs.push(field.notSupported('spec.podManagementPolicy', spec.podManagementPolicy ?? '', ['OrderedReady', 'Parallel']));
  }
  errs.push(...validateUpdateStrategy(spec.updateStrategy, 'spec.updateStrategy'));
  errs.push(...validateNonnegativeField(spec.replicas, 'spec.replicas'));
  errs.push(...validateNonnegativeField(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateWorkloadSelector(spec.selector, 'spec.selector', 'statefulset'));
  const claims = Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : [];
  // Containers mount claim templates by name without a `volumes` entry (upstream's StatefulSet
  // tutorial does): the controller adds one volume per claim to each pod it creates.
  const claimVolumes = claims.map((c) => (isPlainObject(c) && isPlainObject(c.metadata) ? String(c.metadata.name ?? '') : '')).filter(Boolean);
  errs.push(
    ...validatePodTemplateForSelector(spec.template, selectorOf(spec.selector), 'spec.template', {
      restartPolicies: ['Always'],
      forbidActiveDeadline: true,
      kindName: 'StatefulSet',
      claimVolumes,
    }),
  );
  claims.forEach((c, i) => {
    const claim = isPlainObject(c) ? c : {};
    const meta = isPlainObject(claim.metadata) ? claim.metadata : {};
    if (!meta.name) errs.push(field.required(`spec.volumeClaimTemplates[${i}].metadata.name`, ''));
    errs.push(...validatePersistentVolumeClaimSpec(claim.spec, `spec.volumeClaimTemplates[${i}].spec`));
  });
  return errs;
}

const mutableSpecFields = ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy'];

/** statefulSetStrategy is the ResourceStrategy of apps/v1 StatefulSets. */
export const statefulSetStrategy: ResourceStrategy = {
  default: defaultStatefulSet,
  validate: (obj) => validateStatefulSetSpec(readSpec(obj)),
  validateUpdate(obj, old) {
    const newSpec = deepClone(readSpec(obj));
    const oldSpec = readSpec(old);
    for (const k of mutableSpecFields) newSpec[k] = oldSpec[k];
    const errs = deepEqual(newSpec, oldSpec) ? [] : [field.forbidden('spec', STATEFULSET_UPDATE_FORBIDDEN_MSG)];
    return errs.length ? errs : validateImmutableField(readSpec(obj).selector, oldSpec.selector, 'spec.selector');
  },
};
