// SPDX-License-Identifier: Apache-2.0
/**
 * The CRI error model. Every failed CRI call, whether it went over gRPC or
 * to the fake runtime, surfaces as one `CriError` whose `code` is the gRPC
 * status name (NotFound, Unavailable, ...). gRPC errors are translated once,
 * here, and callers branch on `code`, never on the message text.
 */

/** CriErrorCode is the gRPC status name of a failed CRI call (google.rpc.Code). */
export type CriErrorCode =
  | 'Cancelled'
  | 'Unknown'
  | 'InvalidArgument'
  | 'DeadlineExceeded'
  | 'NotFound'
  | 'AlreadyExists'
  | 'PermissionDenied'
  | 'ResourceExhausted'
  | 'FailedPrecondition'
  | 'Aborted'
  | 'OutOfRange'
  | 'Unimplemented'
  | 'Internal'
  | 'Unavailable'
  | 'DataLoss'
  | 'Unauthenticated';

// Indexed by the numeric gRPC status code (0 = OK has no error).
const CODES_BY_NUMBER: readonly (CriErrorCode | undefined)[] = [
  undefined, 'Cancelled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists',
  'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented',
  'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated',
];

/** CriError is a failed CRI call: a gRPC status name, the RPC that failed and the runtime's message. */
export class CriError extends Error {
  override readonly name = 'CriError';
  constructor(
    readonly code: CriErrorCode,
    /** method is the RPC name, e.g. 'RunPodSandbox'. */
    readonly method: string,
    /** detail is the runtime's own message (gRPC `details`), without the code prefix. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${method}: ${code}: ${detail}`, options);
  }
}

/** grpcCodeName maps a numeric gRPC status code to its name; out-of-range numbers are 'Unknown'. */
export function grpcCodeName(code: number): CriErrorCode {
  return CODES_BY_NUMBER[code] ?? 'Unknown';
}

/** toCriError translates an error thrown by a gRPC call into a CriError (once, at the client boundary). */
export function toCriError(method: string, err: unknown): CriError {
  if (err instanceof CriError) return err;
  const e = err as { code?: unknown; details?: unknown; message?: unknown };
  const code = typeof e?.code === 'number' ? grpcCodeName(e.code) : 'Unknown';
  const detail = typeof e?.details === 'string' && e.details !== '' ? e.details : String(e?.message ?? err);
  return new CriError(code, method, detail, { cause: err });
}

/** isCriNotFound reports whether err is a CRI NotFound (missing sandbox, container or image). */
export function isCriNotFound(err: unknown): boolean {
  return err instanceof CriError && err.code === 'NotFound';
}

/** isCriUnavailable reports whether err means the runtime could not be reached (socket down, restarting). */
export function isCriUnavailable(err: unknown): boolean {
  return err instanceof CriError && err.code === 'Unavailable';
}
