// SPDX-License-Identifier: Apache-2.0
/** The ResourceQuota strategy: hard limits are non-negative quantities and scopes are known (upstream ValidateResourceQuota). */
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject } from '../../api/index.js';
import { IS_NEGATIVE_ERROR_MSG } from '../../api/index.js';
import { tryParseQuantity } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { canonicalizeResourceList } from './pod-defaults.js';
import { readSpec, specRecord } from './workload-common.js';

const scopes = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating'];

/** resourceQuotaStrategy is the ResourceStrategy of core/v1 ResourceQuotas. */
export const resourceQuotaStrategy: ResourceStrategy = {
  default: (obj) => canonicalizeResourceList(specRecord(obj).hard),
  prepareForCreate(obj) {
    obj.status = {};
  },
  validate(obj) {
    const spec = readSpec(obj);
    const errs: FieldError[] = [];
    for (const [k, raw] of Object.entries(isPlainObject(spec.hard) ? spec.hard : {})) {
      const q = tryParseQuantity(raw);
      if (typeof q === 'string') errs.push(field.invalid(`spec.hard[${k}]`, raw, q));
      else if (q.sign() < 0) errs.push(field.invalid(`spec.hard[${k}]`, q.toString(), IS_NEGATIVE_ERROR_MSG));
    }
    (Array.isArray(spec.scopes) ? spec.scopes : []).forEach((s) => {
      if (!scopes.includes(s)) errs.push(field.notSupported('spec.scopes', s, scopes));
    });
    return errs;
  },
};
