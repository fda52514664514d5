// SPDX-License-Identifier: Apache-2.0
/** The ControllerRevision strategy: data is mandatory and immutable, revision non-negative (upstream ValidateControllerRevision). */
import { field, type FieldError } from '../../machinery/index.js';
import { validateImmutableField, validateNonnegativeField } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';

/** controllerRevisionStrategy is the ResourceStrategy of apps/v1 ControllerRevisions. */
export const controllerRevisionStrategy: ResourceStrategy = {
  validate(obj) {
    const errs: FieldError[] = obj.data === undefined || obj.data === null ? [field.required('data', 'data is mandatory')] : [];
    return [...errs, ...validateNonnegativeField(obj.revision, 'revision')];
  },
  validateUpdate: (obj, old) => validateImmutableField(obj.data, old.data, 'data'),
};
