// SPDX-License-Identifier: Apache-2.0
/**
 * The PersistentVolumeClaim strategy, as upstream's
 * ValidatePersistentVolumeClaim(Update): access modes and a storage request
 * are required; after creation only the storage request may grow (and the
 * binder may set volumeName once).
 */
import { field, type FieldError } from '../../machinery/index.js';
import { deepClone, isPlainObject, type KubeObject } from '../../api/index.js';
import { deepEqual } from '../../api/index.js';
import { isDNS1123Subdomain } from '../../api/index.js';
import { validateLabelSelector } from '../../api/index.js';
import { tryParseQuantity } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { defaultResourceList } from './pod-defaults.js';
import { describeSpecDiff } from './spec-diff.js';
import { readSpec, specRecord } from './workload-common.js';

/** ACCESS_MODES are the supported persistent volume access modes, sorted as upstream lists them. */
export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

/** defaultPersistentVolumeClaimSpec sets volumeMode Filesystem and canonicalizes quantities. */
export function defaultPersistentVolumeClaimSpec(spec: Record<string, unknown>): void {
  spec.volumeMode ??= 'Filesystem';
  const res = spec.resources;
  if (isPlainObject(res)) {
    defaultResourceList(res.requests);
    defaultResourceList(res.limits);
  }
}

/** validateAccessModes checks a non-empty list of known access modes. */
export function validateAccessModes(modes: unknown, path: string): FieldError[] {
  const list = Array.isArray(modes) ? modes : [];
  if (list.length === 0) return [field.required(path, 'at least 1 access mode is required')];
  return list.filter((m) => !ACCESS_MODES.includes(m)).map((m) => field.notSupported(path, m, ACCESS_MODES));
}

/** validatePersistentVolumeClaimSpec is upstream's ValidatePersistentVolumeClaimSpec. */
export function validatePersistentVolumeClaimSpec(specIn: unknown, path: string): FieldError[] {
  const spec = isPlainObject(specIn) ? specIn : {};
  const errs = validateAccessModes(spec.accessModes, `${path}.accessModes`);
  errs.push(...validateLabelSelector(spec.selector, `${path}.selector`));
  const res = isPlainObject(spec.resources) ? spec.resources : {};
  const requests = isPlainObject(res.requests) ? res.requests : {};
  const storagePath = `${path}.resources[storage]`;
  if (!('storage' in requests)) {
    errs.push(field.required(storagePath, ''));
  } else {
    const q = tryParseQuantity(requests.storage);
    if (typeof q === 'string') errs.push(field.invalid(storagePath, requests.storage, q));
    else if (q.sign() <= 0) errs.push(field.invalid(storagePath, q.toString(), 'must be greater than zero'));
  }
  const sc = spec.storageClassName;
  if (typeof sc === 'string' && sc) errs.push(...isDNS1123Subdomain(sc).map((m) => field.invalid(`${path}.storageClassName`, sc, m)));
  if (spec.volumeMode !== undefined && !['Block', 'Filesystem'].includes(spec.volumeMode as string)) {
    errs.push(field.notSupported(`${path}.volumeMode`, spec.volumeMode, ['Block', 'Filesystem']));
  }
  return errs;
}

function storageRequest(spec: Record<string, unknown>): unknown {
  const res = isPlainObject(spec.resources) ? spec.resources : {};
  return isPlainObject(res.requests) ? res.requests.storage : undefined;
}

/** validatePersistentVolumeClaimUpdate allows only storage growth on bound claims, and volumeName set once. */
export function validatePersistentVolumeClaimUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const newSpec = deepClone(readSpec(obj));
  const oldSpec = deepClone(readSpec(old));
  if (!oldSpec.volumeName) oldSpec.volumeName = newSpec.volumeName;
  const bound = isPlainObject(old.status) && old.status.phase === 'Bound';
  if (bound && isPlainObject(newSpec.resources) && isPlainObject(newSpec.resources.requests)) {
    newSpec.resources.requests.storage = storageRequest(oldSpec);
  }
  const errs: FieldError[] = [];
  if (!deepEqual(newSpec, oldSpec)) {
    const diff = describeSpecDiff('core.PersistentVolumeClaimSpec', oldSpec, newSpec);
    errs.push(field.forbidden('spec', `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${diff}`));
  }
  const newSize = tryParseQuantity(storageRequest(readSpec(obj)));
  const oldSize = tryParseQuantity(storageRequest(readSpec(old)));
  if (typeof newSize !== 'string' && typeof oldSize !== 'string' && newSize.cmp(oldSize) < 0) {
    errs.push(field.forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  }
  return errs;
}

/** persistentVolumeClaimStrategy is the ResourceStrategy of core/v1 PersistentVolumeClaims. */
export const persistentVolumeClaimStrategy: ResourceStrategy = {
  default: (obj) => defaultPersistentVolumeClaimSpec(specRecord(obj)),
  prepareForCreate(obj) {
    obj.status = { phase: 'Pending' };
  },
  validate: (obj) => validatePersistentVolumeClaimSpec(obj.spec, 'spec'),
  validateUpdate: validatePersistentVolumeClaimUpdate,
};
