// SPDX-License-Identifier: Apache-2.0
/**
 * The Status object every failed request returns (metav1.Status: reason,
 * HTTP code, details and causes, in upstream's field order) and
 * StatusError, which carries one through the code until the apiserver
 * writes it out.
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
