// SPDX-License-Identifier: Apache-2.0
/**
 * Small field checks every kind's validation uses, with apimachinery's
 * wording: non-negative numbers, immutable fields, percent strings.
 */
import { field, type FieldError } from '../../machinery/index.js';
import { regexError } from './names.js';

/** IS_NEGATIVE_ERROR_MSG is upstream's IsNegativeErrorMsg. */
export const IS_NEGATIVE_ERROR_MSG = 'must be greater than or equal to 0';
/** FIELD_IMMUTABLE_ERROR_MSG is upstream's FieldImmutableErrorMsg. */
export const FIELD_IMMUTABLE_ERROR_MSG = 'field is immutable';

// deepEqual (JSON values, key order ignored, undefined and absent equal) is the one in api/object.
export { deepEqual } from '../object.js';
import { deepEqual } from '../object.js';

/** validateNonnegativeField rejects a negative number (ValidateNonnegativeField). */
export function validateNonnegativeField(value: unknown, path: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [field.invalid(path, value, IS_NEGATIVE_ERROR_MSG)] : [];
}

/** validatePositiveField rejects zero or a negative number. */
export function validatePositiveField(value: unknown, path: string): FieldError[] {
  return typeof value === 'number' && value <= 0 ? [field.invalid(path, value, 'must be greater than 0')] : [];
}

/** validateImmutableField rejects a change (ValidateImmutableField); the new value is shown. */
export function validateImmutableField(newVal: unknown, oldVal: unknown, path: string): FieldError[] {
  return deepEqual(newVal, oldVal) ? [] : [field.invalid(path, newVal ?? null, FIELD_IMMUTABLE_ERROR_MSG)];
}

const percentFmt = '[0-9]+%';

/** isValidPercent checks an int-or-string percent such as '25%'. */
export function isValidPercent(value: string): string[] {
  return /^[0-9]+%$/.test(value) ? [] : [regexError("a valid percent string must be a numeric string followed by an ending '%'", percentFmt, '1%', '93%')];
}

/** intOrPercentValue reads an int-or-string: the int, or the percent number, or undefined when malformed. */
export function intOrPercentValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^[0-9]+%$/.test(v)) return Number(v.slice(0, -1));
  return undefined;
}

/** validatePositiveIntOrPercent checks an int-or-string that must be >= 0 or a percent (apps validation). */
export function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => field.invalid(path, v, m));
  if (typeof v === 'number') return validateNonnegativeField(v, path);
  if (v === undefined || v === null) return [];
  return [field.invalid(path, v, "must be an integer or percentage (e.g '5%')")];
}

/** isNotMoreThan100Percent rejects a percent above 100%. */
export function isNotMoreThan100Percent(v: unknown, path: string): FieldError[] {
  if (typeof v !== 'string') return [];
  const n = intOrPercentValue(v);
  return n !== undefined && n > 100 ? [field.invalid(path, v, 'must not be greater than 100%')] : [];
}
