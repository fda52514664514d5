// SPDX-License-Identifier: Apache-2.0
/**
 * The wire error model: every failure the API returns is a Kubernetes
 * `Status` object with a reason, an HTTP code and, for validation, field
 * causes. Components throw `StatusError`; the apiserver writes it out once.
 * Shapes follow apimachinery's `k8s.io/apimachinery/pkg/api/errors`.
 */

/** StatusReason is the machine-readable reason of a failed request (metav1.StatusReason). */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'ServerTimeout'
  | 'NotImplemented'
  | '';

/** CauseType names the kind of a field error (metav1.CauseType / field.ErrorType). */
export type CauseType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid'
  | 'UnexpectedServerResponse'
  | 'FieldManagerConflict'
  | 'ResourceVersionTooLarge';

export interface StatusCause {
  reason?: CauseType | string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** Status is the metav1.Status object written on every failed request. */
export interface Status {
  kind?: 'Status';
  apiVersion?: 'v1';
  metadata: Record<string, unknown>;
  status?: 'Failure' | 'Success';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code?: number;
}

/** StatusFields are what a Status says; newStatus puts them in upstream's order. */
export interface StatusFields {
  status: 'Failure' | 'Success';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code?: number;
  /**
   * typeMeta false leaves out kind and apiVersion, as the remotecommand
   * status channel does (it marshals a bare metav1.Status).
   */
  typeMeta?: boolean;
}

/**
 * newStatus is the one constructor of every Status the project writes. Keys
 * come in metav1.Status's field order (kind, apiVersion, metadata, status,
 * message, reason, details, code) and every empty field is left out, as
 * encoding/json does with upstream's `omitempty` tags; clients that compare
 * error bodies byte for byte see upstream's text.
 * https://github.com/kubernetes/apimachinery/blob/v0.32.0/pkg/apis/meta/v1/types.go#L751
 */
export function newStatus(f: StatusFields): Status {
  const s: Status = f.typeMeta === false ? { metadata: {} } : { kind: 'Status', apiVersion: 'v1', metadata: {} };
  s.status = f.status;
  if (f.message) s.message = f.message;
  if (f.reason) s.reason = f.reason;
  const details = f.details && orderedDetails(f.details);
  if (details) s.details = details;
  if (f.code) s.code = f.code;
  return s;
}

/** orderedDetails is StatusDetails in field order without empty fields; undefined when nothing is left. */
function orderedDetails(d: StatusDetails): StatusDetails | undefined {
  const out: StatusDetails = {};
  if (d.name) out.name = d.name;
  if (d.group) out.group = d.group;
  if (d.kind) out.kind = d.kind;
  if (d.uid) out.uid = d.uid;
  if (d.causes?.length) {
    out.causes = d.causes.map((c) => {
      const oc: StatusCause = {};
      if (c.reason) oc.reason = c.reason;
      if (c.message) oc.message = c.message;
      if (c.field) oc.field = c.field;
      return oc;
    });
  }
  if (d.retryAfterSeconds) out.retryAfterSeconds = d.retryAfterSeconds;
  return Object.keys(out).length ? out : undefined;
}

/** StatusError carries a Status through the code until it is written to the client. */
export class StatusError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details?: StatusDetails;

  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StatusError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): Status {
    return newStatus({ status: 'Failure', message: this.message, reason: this.reason, details: this.details, code: this.code });
  }
}

/** GroupResource identifies a resource in messages: `deployments.apps`, or `pods` for the core group. */
export interface GroupResource {
  group: string;
  resource: string;
}

function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export function newNotFound(gr: GroupResource, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualified(gr)} "${name}" not found`, { name, group: gr.group, kind: gr.resource });
}

export function newAlreadyExists(gr: GroupResource, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, { name, group: gr.group, kind: gr.resource });
}

/** newConflict matches upstream's optimistic-concurrency failure message. */
export function newConflict(gr: GroupResource, name: string, why: string): StatusError {
  return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, { name, group: gr.group, kind: gr.resource });
}

export const conflictStaleMessage = 'the object has been modified; please apply your changes to the latest version and try again';

export function newBadRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function newUnauthorized(message = 'Unauthorized'): StatusError {
  return new StatusError(401, 'Unauthorized', message);
}

export function newForbidden(gr: GroupResource, name: string, why: string): StatusError {
  const what = name ? `${qualified(gr)} "${name}"` : qualified(gr);
  return new StatusError(403, 'Forbidden', `${what} is forbidden: ${why}`, { name, group: gr.group, kind: gr.resource });
}

export function newMethodNotSupported(gr: GroupResource, verb: string): StatusError {
  return new StatusError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${qualified(gr)}"`, { group: gr.group, kind: gr.resource });
}

export function newGone(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

export function newRequestEntityTooLarge(message: string): StatusError {
  return new StatusError(413, 'RequestEntityTooLarge', message);
}

export function newUnsupportedMediaType(contentType: string): StatusError {
  return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got ${JSON.stringify(contentType)})`);
}

export function newInternalError(err: unknown): StatusError {
  const msg = err instanceof Error ? err.message : String(err);
  return new StatusError(500, 'InternalError', `Internal error occurred: ${msg}`, { causes: [{ message: msg }] }, { cause: err });
}

export function newServiceUnavailable(message: string): StatusError {
  return new StatusError(503, 'ServiceUnavailable', message);
}

export function newTimeout(message: string, retryAfterSeconds = 1): StatusError {
  return new StatusError(504, 'Timeout', message, { retryAfterSeconds });
}

export function newTooManyRequests(message: string, retryAfterSeconds = 1): StatusError {
  return new StatusError(429, 'TooManyRequests', message, { retryAfterSeconds });
}

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

/** Predicates over StatusError: test the reason, never the message. */
export function isNotFound(err: unknown): boolean {
  return err instanceof StatusError && err.reason === 'NotFound';
}
export function isAlreadyExists(err: unknown): boolean {
  return err instanceof StatusError && err.reason === 'AlreadyExists';
}
export function isConflict(err: unknown): boolean {
  return err instanceof StatusError && err.reason === 'Conflict';
}
export function isInvalid(err: unknown): boolean {
  return err instanceof StatusError && err.reason === 'Invalid';
}
export function isGone(err: unknown): boolean {
  return err instanceof StatusError && (err.reason === 'Expired' || err.reason === 'Gone');
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
