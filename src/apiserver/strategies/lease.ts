// SPDX-License-Identifier: Apache-2.0
/** The Lease strategy, as upstream's ValidateLeaseSpec: durations positive, transitions non-negative. */
import { field, type FieldError } from '../../machinery/index.js';
import { validateNonnegativeField } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { readSpec } from './workload-common.js';

/** leaseStrategy is the ResourceStrategy of coordination.k8s.io/v1 Leases. */
export const leaseStrategy: ResourceStrategy = {
  validate(obj) {
    const spec = readSpec(obj);
    const errs: FieldError[] = [];
    const d = spec.leaseDurationSeconds;
    if (typeof d === 'number' && d <= 0) errs.push(field.invalid('spec.leaseDurationSeconds', d, 'must be greater than 0'));
    errs.push(...validateNonnegativeField(spec.leaseTransitions, 'spec.leaseTransitions'));
    return errs;
  },
};
