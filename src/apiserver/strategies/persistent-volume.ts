// SPDX-License-Identifier: Apache-2.0
/**
 * The PersistentVolume strategy: reclaimPolicy Retain, volumeMode
 * Filesystem, Pending phase on create; ValidatePersistentVolume's access
 * modes, storage capacity and single volume source; the source is immutable.
 */
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject, type KubeObject } from '../../api/index.js';
import { deepEqual, validateImmutableField } from '../../api/index.js';
import { tryParseQuantity } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { canonicalizeResourceList } from './pod-defaults.js';
import { validateAccessModes } from './persistent-volume-claim.js';
import { describeSpecDiff } from './spec-diff.js';
import { readSpec, specRecord } from './workload-common.js';

/** PV_SOURCE_KEYS are the persistent volume sources Skiff recognizes (the in-tree ones people still use, plus csi). */
const PV_SOURCE_KEYS = ['hostPath', 'local', 'nfs', 'csi', 'iscsi', 'fc', 'rbd', 'cephfs', 'glusterfs', 'awsElasticBlockStore', 'gcePersistentDisk', 'azureDisk', 'azureFile', 'cinder', 'vsphereVolume', 'flexVolume', 'portworxVolume', 'scaleIO', 'storageos', 'quobyte', 'photonPersistentDisk', 'flocker'];

function sourceOf(spec: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of PV_SOURCE_KEYS) if (spec[k] !== undefined && spec[k] !== null) out[k] = spec[k];
  return out;
}

function validateCapacity(cap: unknown): FieldError[] {
  const capacity = isPlainObject(cap) ? cap : {};
  if (Object.keys(capacity).length === 0) return [field.required('spec.capacity', '')];
  if (!('storage' in capacity) || Object.keys(capacity).length > 1) return [field.notSupported('spec.capacity', capacity, ['storage'])];
  const q = tryParseQuantity(capacity.storage);
  if (typeof q === 'string') return [field.invalid('spec.capacity[storage]', capacity.storage, q)];
  return q.sign() <= 0 ? [field.invalid('spec.capacity[storage]', q.toString(), 'must be greater than zero')] : [];
}

/** validatePersistentVolumeSpec is the spec part of upstream's ValidatePersistentVolume. */
export function validatePersistentVolumeSpec(spec: Record<string, unknown>): FieldError[] {
  const errs = [...validateAccessModes(spec.accessModes, 'spec.accessModes'), ...validateCapacity(spec.capacity)];
  const rp = spec.persistentVolumeReclaimPolicy;
  if (rp !== undefined && !['Delete', 'Recycle', 'Retain'].includes(rp as string)) errs.push(field.notSupported('spec.persistentVolumeReclaimPolicy', rp, ['Delete', 'Recycle', 'Retain']));
  const sources = Object.keys(sourceOf(spec));
  if (sources.length === 0) errs.push(field.required('spec', 'must specify a volume type'));
  for (const k of sources.slice(1)) errs.push(field.forbidden(`spec.${k}`, 'may not specify more than 1 volume type'));
  const hp = spec.hostPath;
  if (isPlainObject(hp) && !hp.path) errs.push(field.required('spec.hostPath.path', ''));
  const local = spec.local;
  if (isPlainObject(local)) {
    if (!local.path) errs.push(field.required('spec.local.path', ''));
    if (!spec.nodeAffinity) errs.push(field.required('spec.nodeAffinity', 'Local volume requires node affinity'));
  }
  if (spec.volumeMode !== undefined && !['Block', 'Filesystem'].includes(spec.volumeMode as string)) errs.push(field.notSupported('spec.volumeMode', spec.volumeMode, ['Block', 'Filesystem']));
  return errs;
}

/** persistentVolumeStrategy is the ResourceStrategy of core/v1 PersistentVolumes. */
export const persistentVolumeStrategy: ResourceStrategy = {
  default(obj) {
    const spec = specRecord(obj);
    spec.persistentVolumeReclaimPolicy ||= 'Retain';
    spec.volumeMode ??= 'Filesystem';
    canonicalizeResourceList(spec.capacity);
  },
  prepareForCreate(obj) {
    obj.status = { phase: 'Pending' };
  },
  validate: (obj) => validatePersistentVolumeSpec(readSpec(obj)),
  validateUpdate(obj, old) {
    const src = sourceOf(readSpec(obj));
    const oldSrc = sourceOf(readSpec(old));
    const errs: FieldError[] = [];
    if (!deepEqual(src, oldSrc)) errs.push(field.forbidden('spec.persistentvolumesource', `spec.persistentvolumesource is immutable after creation\n${describeSpecDiff('core.PersistentVolumeSource', oldSrc, src)}`));
    errs.push(...validateImmutableField(readSpec(obj).volumeMode, readSpec(old).volumeMode, 'spec.volumeMode'));
    return errs;
  },
};
