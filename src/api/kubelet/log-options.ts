// SPDX-License-Identifier: Apache-2.0
/**
 * LogOptions are the query parameters of a container log request, shared by
 * the API server's `pods/log` (PodLogOptions) and the kubelet's
 * `/containerLogs` endpoint, with upstream's validation messages
 * (pkg/apis/core/validation ValidatePodLogOptions).
 */
import { queryBool } from '../../machinery/index.js';

/** LogOptions say which part of a container log to send and how. */
export interface LogOptions {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  /** tailLines: only the last N file lines (undefined: all). */
  tailLines?: number;
  /** sinceMs: only lines at or after this Unix time in milliseconds. */
  sinceMs?: number;
  /** limitBytes: stop after this many bytes of output. */
  limitBytes?: number;
}

/** LogOptionsError is an invalid log query; callers answer it with 400 Bad Request. */
export class LogOptionsError extends Error {
  override readonly name = 'LogOptionsError';
}

function integer(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new LogOptionsError(`${name}: Invalid value: "${v}": must be an integer`);
  return Number(v);
}

/** parseLogOptions reads and validates log options from a query string; `now` is injectable for tests. */
export function parseLogOptions(q: URLSearchParams, now = Date.now()): LogOptions {
  const opts: LogOptions = { follow: queryBool(q, 'follow'), previous: queryBool(q, 'previous'), timestamps: queryBool(q, 'timestamps') };
  const tail = integer(q, 'tailLines');
  if (tail !== undefined) {
    if (tail < 0) throw new LogOptionsError(`tailLines: Invalid value: ${tail}: must be greater than or equal to 0`);
    opts.tailLines = tail;
  }
  const limit = integer(q, 'limitBytes');
  if (limit !== undefined) {
    if (limit < 1) throw new LogOptionsError(`limitBytes: Invalid value: ${limit}: must be greater than 0`);
    opts.limitBytes = limit;
  }
  const sinceSeconds = integer(q, 'sinceSeconds');
  const sinceTime = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime) throw new LogOptionsError('sinceTime: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified');
  if (sinceSeconds !== undefined) {
    if (sinceSeconds < 1) throw new LogOptionsError(`sinceSeconds: Invalid value: ${sinceSeconds}: must be greater than 0`);
    opts.sinceMs = now - sinceSeconds * 1000;
  } else if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw new LogOptionsError(`sinceTime: Invalid value: "${sinceTime}": must be an RFC3339 time`);
    opts.sinceMs = t;
  }
  return opts;
}

/** logOptionsQuery renders options back into a query string (the API server forwarding to a kubelet). */
export function logOptionsQuery(opts: LogOptions): URLSearchParams {
  const q = new URLSearchParams();
  if (opts.follow) q.set('follow', 'true');
  if (opts.previous) q.set('previous', 'true');
  if (opts.timestamps) q.set('timestamps', 'true');
  if (opts.tailLines !== undefined) q.set('tailLines', String(opts.tailLines));
  if (opts.limitBytes !== undefined) q.set('limitBytes', String(opts.limitBytes));
  if (opts.sinceMs !== undefined) q.set('sinceTime', new Date(opts.sinceMs).toISOString());
  return q;
}
