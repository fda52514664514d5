// SPDX-License-Identifier: Apache-2.0
/**
 * The StorageClass strategy: reclaimPolicy Delete and volumeBindingMode
 * Immediate by default; provisioner required; provisioner, parameters,
 * reclaimPolicy and volumeBindingMode fixed after creation (upstream
 * ValidateStorageClass(Update)).
 */
import { field, type FieldError } from '../../machinery/index.js';
import { deepEqual, validateImmutableField } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';

/** storageClassStrategy is the ResourceStrategy of storage.k8s.io/v1 StorageClasses. */
export const storageClassStrategy: ResourceStrategy = {
  default(obj) {
    obj.reclaimPolicy ||= 'Delete';
    obj.volumeBindingMode ||= 'Immediate';
  },
  validate(obj) {
    const errs: FieldError[] = [];
    if (!obj.provisioner) errs.push(field.required('provisioner', ''));
    if (!['Delete', 'Retain'].includes(obj.reclaimPolicy as string)) errs.push(field.notSupported('reclaimPolicy', obj.reclaimPolicy ?? '', ['Delete', 'Retain']));
    const mode = obj.volumeBindingMode;
    if (!['Immediate', 'WaitForFirstConsumer'].includes(mode as string)) errs.push(field.notSupported('volumeBindingMode', mode ?? '', ['Immediate', 'WaitForFirstConsumer']));
    return errs;
  },
  validateUpdate(obj, old) {
    const errs: FieldError[] = [];
    if (!deepEqual(obj.parameters ?? {}, old.parameters ?? {})) errs.push(field.forbidden('parameters', 'updates to parameters are forbidden.'));
    if (obj.provisioner !== old.provisioner) errs.push(field.forbidden('provisioner', 'updates to provisioner are forbidden.'));
    if (obj.reclaimPolicy !== old.reclaimPolicy) errs.push(field.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    errs.push(...validateImmutableField(obj.volumeBindingMode, old.volumeBindingMode, 'volumeBindingMode'));
    return errs;
  },
};
