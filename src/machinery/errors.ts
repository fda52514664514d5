// SPDX-License-Identifier: Apache-2.0
/**
 * The wire error model: every failure the API returns is a Kubernetes
 * `Status` object with a reason, an HTTP code and, for validation, field
 * causes. Components throw `StatusError`; the apiserver writes it out once.
 * Shapes follow apimachinery's `k8s.io/apimachinery/pkg/api/errors`: this file holds the
 * constructors and predicates and re-exports the Status model and field errors.
 */
import { StatusError } from './errors-status.js';

export { newStatus, StatusError, type CauseType, type Status, type StatusCause, type StatusDetails, type StatusFields, type StatusReason } from './errors-status.js';
export { field, fieldErrorMessage, newInvalid, type FieldError } from './errors-field.js';

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
