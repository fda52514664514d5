// SPDX-License-Identifier: Apache-2.0
/** Writing answers: JSON objects, Status errors and warning headers, the one place errors become HTTP. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { QueryParameterError, StatusError, newBadRequest, newInternalError, wantsPretty } from '../../machinery/index.js';
import { StoreUnavailableError } from '../../storage/index.js';
import { newStoreUnavailable } from '../registry/resource-registry.js';
import { encodeBody } from './response-compression.js';

/** warningHeader renders one warning the way upstream does (RFC 7234 warn-code 299). */
function warningHeader(text: string): string {
  return `299 - ${JSON.stringify(text.replace(/[\r\n]+/g, ' '))}`;
}

/**
 * writeJson answers with `body` serialized once. The body goes to `end()` as
 * a string: Node then prepends the status line and headers to it and the
 * socket sees one write (one TLS record) instead of a writev of two chunks,
 * which profiles showed as the largest cost of small answers under load.
 */
export function writeJson(res: ServerResponse, code: number, body: unknown, warnings: string[] = [], contentType = 'application/json'): void {
  // Indented when asked, in the one serialization: a browser's request (a Mozilla/5.0 User-Agent) asks by
  // default, and serializing, parsing and serializing again cost more than half of a 1,000-pod list's answer.
  const pretty = contentType.includes('json') && isPrettyPrint(res);
  writeSerialized(res, code, pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body), warnings, contentType);
}

/** writeJsonText answers with JSON text that is already serialized (cached documents, pre-rendered lists). */
export function writeJsonText(res: ServerResponse, code: number, text: string, warnings: string[] = [], contentType = 'application/json', extra?: Record<string, string>): void {
  if (contentType.includes('json') && isPrettyPrint(res)) text = JSON.stringify(JSON.parse(text), null, 2);
  writeSerialized(res, code, text, warnings, contentType, extra);
}

/** writeSerialized sends text as it is, gzipped when large and the client accepts it. */
function writeSerialized(res: ServerResponse, code: number, text: string, warnings: string[], contentType: string, extra?: Record<string, string>): void {
  // Large answers go out gzipped when the client asks (upstream's APIResponseCompression).
  const length = Buffer.byteLength(text);
  encodeBody(res.req as IncomingMessage | undefined, text, length, ({ body, headers: encoding }) => {
    // While a large answer compresses, the client may go away or a timeout answer it instead.
    if (res.headersSent || res.destroyed) return;
    const headers: Record<string, string | string[] | number> = {
      'Content-Type': contentType,
      // The text's length was counted once above (a pass over a large list's megabytes); gzip gives a Buffer.
      'Content-Length': typeof body === 'string' ? length : body.length,
      'Cache-Control': 'no-cache, private',
      ...encoding,
    };
    if (warnings.length) headers['Warning'] = warnings.map(warningHeader);
    if (extra) Object.assign(headers, extra);
    res.writeHead(code, headers);
    res.end(body);
  });
}

/**
 * isPrettyPrint says whether the request of `res` asked for indented JSON
 * (`?pretty=`, or a curl/Wget/browser user agent), as upstream's
 * negotiation.isPrettyPrint. The common case (kubectl, client-go) costs one
 * substring test and one prefix test.
 */
function isPrettyPrint(res: ServerResponse): boolean {
  const req = res.req as IncomingMessage | undefined;
  if (!req) return false;
  const url = req.url ?? '';
  const query = url.includes('pretty') ? new URL(url, 'https://localhost').searchParams : undefined;
  return wantsPretty(query, req.headers['user-agent']);
}

/** writeError turns any thrown value into a Status answer; unexpected errors become 500 InternalError and are logged. */
export function writeError(res: ServerResponse, err: unknown, log: (msg: string) => void = console.error): void {
  let se: StatusError;
  if (err instanceof StatusError) se = err;
  else if (err instanceof QueryParameterError) se = newBadRequest(err.message);
  // Storage reads outside the registry (admission's lookups, say) reach here untranslated; an unreachable store is still a 503.
  else if (err instanceof StoreUnavailableError) se = newStoreUnavailable(err);
  else {
    log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    se = newInternalError(err);
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const retry = se.details?.retryAfterSeconds ? { 'Retry-After': String(se.details.retryAfterSeconds) } : undefined;
  writeJsonText(res, se.code, JSON.stringify(se.toStatus()), [], 'application/json', retry);
}

/**
 * writeUpgradeError answers a refused upgrade (exec, WebSocket watch) with a
 * Status body as a plain HTTP response on the raw socket.
 */
export function writeUpgradeError(socket: Socket, err: unknown, log?: (msg: string) => void): void {
  const se = err instanceof StatusError ? err : new StatusError(500, 'InternalError', err instanceof Error ? err.message : String(err));
  if (!(err instanceof StatusError)) log?.(`upgrade failed: ${se.message}`);
  const body = JSON.stringify(se.toStatus());
  socket.end(`HTTP/1.1 ${se.code} ${se.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
