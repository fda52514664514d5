// SPDX-License-Identifier: Apache-2.0
/**
 * The PriorityClass strategy (scheduling.k8s.io/v1): preemptionPolicy
 * defaults to PreemptLowerPriority; user classes stay at or below one
 * billion and may not use the `system-` prefix; value and preemptionPolicy
 * never change (upstream ValidatePriorityClass(Update)).
 */
import { field, type FieldError } from '../../machinery/index.js';
import { validateImmutableField } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';

/** HIGHEST_USER_DEFINABLE_PRIORITY is upstream's cap on non-system priority values. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
const systemClasses = ['system-node-critical', 'system-cluster-critical'];

/** priorityClassStrategy is the ResourceStrategy of scheduling.k8s.io/v1 PriorityClasses. */
export const priorityClassStrategy: ResourceStrategy = {
  default(obj) {
    obj.preemptionPolicy ??= 'PreemptLowerPriority';
  },
  validate(obj) {
    const errs: FieldError[] = [];
    const name = obj.metadata.name ?? '';
    if (systemClasses.includes(name)) return errs;
    if (name.startsWith('system-')) errs.push(field.forbidden('metadata.name', "priority class names with 'system-' prefix are reserved for system use only"));
    if (typeof obj.value !== 'number') errs.push(field.required('value', ''));
    else if (obj.value > HIGHEST_USER_DEFINABLE_PRIORITY) errs.push(field.forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
    const pp = obj.preemptionPolicy;
    if (pp !== undefined && pp !== 'Never' && pp !== 'PreemptLowerPriority') errs.push(field.notSupported('preemptionPolicy', pp, ['Never', 'PreemptLowerPriority']));
    return errs;
  },
  validateUpdate(obj, old) {
    const errs: FieldError[] = obj.value !== old.value ? [field.forbidden('value', 'may not be changed in an update.')] : [];
    return [...errs, ...validateImmutableField(obj.preemptionPolicy, old.preemptionPolicy, 'preemptionPolicy')];
  },
};
