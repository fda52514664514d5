// SPDX-License-Identifier: Apache-2.0
/**
 * Field errors of validation (apimachinery's field.Error and its
 * builders) and the 422 Invalid error that gathers them, with the messages
 * upstream prints.
 */
import { StatusError, type CauseType, type StatusCause } from './errors-status.js';

/**
 * FieldError is one validation failure at a field path (field.Error upstream).
 * `detail` is the free-text part; `badValue` is shown quoted as upstream does.
 */
export interface FieldError {
  type: CauseType;
  field: string;
  badValue?: unknown;
  detail?: string;
}

const typeText: Partial<Record<CauseType, string>> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** formatBadValue renders a bad value the way field.Error.Error() does (strings quoted, objects as JSON). */
function formatBadValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (v === undefined) return '""';
  return JSON.stringify(v);
}

/** fieldErrorMessage renders a single field error as upstream: `spec.replicas: Invalid value: -1: must be greater than or equal to 0`. */
export function fieldErrorMessage(e: FieldError): string {
  const head = typeText[e.type] ?? 'Invalid value';
  const omitValue = e.type === 'FieldValueRequired' || e.type === 'FieldValueForbidden' || e.type === 'InternalError' || e.badValue === undefined;
  let msg = `${e.field}: ${head}`;
  if (!omitValue) msg += `: ${formatBadValue(e.badValue)}`;
  if (e.detail) msg += `: ${e.detail}`;
  return msg;
}

/**
 * newInvalid builds the 422 Invalid error of a rejected object, with one cause
 * per field error. The message matches upstream: `Kind.group "name" is invalid: [a, b]`.
 */
export function newInvalid(kind: string, group: string, name: string, errs: FieldError[]): StatusError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const msgs = errs.map(fieldErrorMessage);
  const joined = msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`;
  const causes: StatusCause[] = errs.map((e, i) => ({ reason: e.type, message: msgs[i].slice(e.field.length + 2), field: e.field }));
  return new StatusError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${joined}`, { name, group, kind, causes });
}

/** Small builders so validators read like upstream's field.Invalid(path, value, detail). */
export const field = {
  invalid: (path: string, badValue: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field: path, badValue, detail }),
  required: (path: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field: path, detail }),
  forbidden: (path: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field: path, detail }),
  duplicate: (path: string, badValue: unknown): FieldError => ({ type: 'FieldValueDuplicate', field: path, badValue }),
  notSupported: (path: string, badValue: unknown, valid: string[]): FieldError => ({
    type: 'FieldValueNotSupported',
    field: path,
    badValue,
    detail: `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}`,
  }),
  notFound: (path: string, badValue: unknown): FieldError => ({ type: 'FieldValueNotFound', field: path, badValue }),
  tooLong: (path: string, badValue: unknown, max: number): FieldError => ({ type: 'FieldValueTooLong', field: path, badValue, detail: `may not be more than ${max} ${max === 1 ? 'byte' : 'bytes'}` }),
  tooMany: (path: string, actual: number, max: number): FieldError => ({ type: 'FieldValueTooMany', field: path, badValue: actual, detail: `must have at most ${max} items` }),
};
