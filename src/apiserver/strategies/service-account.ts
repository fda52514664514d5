// SPDX-License-Identifier: Apache-2.0
/** The ServiceAccount strategy: referenced secrets and image pull secrets need names. */
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';

/** serviceAccountStrategy is the ResourceStrategy of core/v1 ServiceAccounts. */
export const serviceAccountStrategy: ResourceStrategy = {
  validate(obj) {
    const errs: FieldError[] = [];
    for (const key of ['secrets', 'imagePullSecrets']) {
      const refs = Array.isArray(obj[key]) ? (obj[key] as unknown[]) : [];
      refs.forEach((r, i) => {
        if (!isPlainObject(r) || !r.name) errs.push(field.required(`${key}[${i}].name`, ''));
      });
    }
    return errs;
  },
};
