// SPDX-License-Identifier: Apache-2.0
/**
 * statusProblem tells what is wrong with an error answer: it must be a
 * metav1.Status (kind, apiVersion, status Failure, a message, a reason
 * unless it is upstream's empty one, and the same code as the HTTP status), as every upstream error answer is.
 */
import assert from 'node:assert/strict';

/** StatusBody is the part of a metav1.Status the checks read. */
export interface StatusBody {
  kind: string;
  apiVersion: string;
  status: string;
  message: string;
  reason?: string;
  code: number;
  details?: { causes?: { reason?: string; message?: string; field?: string }[] };
}

/** statusProblem returns why `body` is not a well-formed Failure Status with `code`, or undefined when it is. */
export function statusProblem(body: string, code: number): string | undefined {
  let st: Partial<StatusBody>;
  try {
    st = JSON.parse(body) as Partial<StatusBody>;
  } catch {
    return `not JSON: ${body.slice(0, 200)}`;
  }
  if (typeof st !== 'object' || st === null) return `not an object: ${body.slice(0, 200)}`;
  if (st.kind !== 'Status' || st.apiVersion !== 'v1') return `not a v1 Status: ${body.slice(0, 200)}`;
  if (st.status !== 'Failure') return `status is ${String(st.status)}, not Failure`;
  if (st.code !== code) return `code ${String(st.code)} differs from the HTTP status ${code}`;
  if (typeof st.message !== 'string' || st.message === '') return 'no message';
  // Upstream omits an empty reason (StatusReasonUnknown, e.g. its 500 for untyped patch errors).
  if (st.reason !== undefined && typeof st.reason !== 'string') return 'reason is not a string';
  return undefined;
}

/** assertStatus fails unless `body` is a well-formed Failure Status with `code`, and returns it. */
export function assertStatus(body: string, code: number): StatusBody {
  const problem = statusProblem(body, code);
  assert.equal(problem, undefined, problem);
  return JSON.parse(body) as StatusBody;
}
