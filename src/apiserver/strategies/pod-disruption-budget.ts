// SPDX-License-Identifier: Apache-2.0
/**
 * The PodDisruptionBudget strategy (policy/v1): minAvailable or
 * maxUnavailable (not both) as non-negative ints or percents up to 100%,
 * a valid selector and eviction policy (upstream ValidatePodDisruptionBudgetSpec).
 */
import { field, type FieldError } from '../../machinery/index.js';
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from '../../api/index.js';
import { validateLabelSelector } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { readSpec } from './workload-common.js';

/** podDisruptionBudgetStrategy is the ResourceStrategy of policy/v1 PodDisruptionBudgets. */
export const podDisruptionBudgetStrategy: ResourceStrategy = {
  prepareForCreate(obj) {
    obj.status = { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 };
  },
  validate(obj) {
    const spec = readSpec(obj);
    const errs: FieldError[] = [];
    if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) errs.push(field.invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
    for (const k of ['minAvailable', 'maxUnavailable']) {
      errs.push(...validatePositiveIntOrPercent(spec[k], `spec.${k}`), ...isNotMoreThan100Percent(spec[k], `spec.${k}`));
    }
    errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
    const policy = spec.unhealthyPodEvictionPolicy;
    if (policy !== undefined && policy !== 'IfHealthyBudget' && policy !== 'AlwaysAllow') {
      errs.push(field.notSupported('spec.unhealthyPodEvictionPolicy', policy, ['AlwaysAllow', 'IfHealthyBudget']));
    }
    return errs;
  },
};
