// SPDX-License-Identifier: Apache-2.0
/** Writing answers: JSON objects, Status errors and warning headers, the one place errors become HTTP. */
import type { ServerResponse } from 'node:http';
import { StatusError, newInternalError } from '../../machinery/errors.js';

/** warningHeader renders one warning the way upstream does (RFC 7234 warn-code 299). */
function warningHeader(text: string): string {
  return `299 - ${JSON.stringify(text.replace(/[\r\n]+/g, ' '))}`;
}

export function writeJson(res: ServerResponse, code: number, body: unknown, warnings: string[] = [], contentType = 'application/json'): void {
  const data = Buffer.from(JSON.stringify(body));
  const headers: Record<string, string | string[] | number> = {
    'Content-Type': contentType,
    'Content-Length': data.length,
    'Cache-Control': 'no-cache, private',
  };
  if (warnings.length) headers['Warning'] = warnings.map(warningHeader);
  res.writeHead(code, headers);
  res.end(data);
}

/** writeError turns any thrown value into a Status answer; unexpected errors become 500 InternalError and are logged. */
export function writeError(res: ServerResponse, err: unknown, log: (msg: string) => void = console.error): void {
  let se: StatusError;
  if (err instanceof StatusError) se = err;
  else {
    log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    se = newInternalError(err);
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = se.toStatus();
  const headers: Record<string, string> = {};
  if (se.details?.retryAfterSeconds) headers['Retry-After'] = String(se.details.retryAfterSeconds);
  const data = Buffer.from(JSON.stringify(status));
  res.writeHead(se.code, { 'Content-Type': 'application/json', 'Content-Length': data.length, 'Cache-Control': 'no-cache, private', ...headers });
  res.end(data);
}
