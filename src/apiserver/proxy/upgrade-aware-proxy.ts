// SPDX-License-Identifier: Apache-2.0
/**
 * Forwarding one request to a proxy location, as upstream's
 * UpgradeAwareHandler: plain requests are relayed with their method,
 * headers (minus hop-by-hop ones and the caller's credentials, which the
 * authentication filter already removed upstream) and body, the answer
 * streamed back as is; upgrade requests (WebSocket) are forwarded and, once
 * the target switches protocols, the two connections are spliced. TLS to
 * pods and services is not verified, as upstream's proxy transport does not.
 */
import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type RequestOptions, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { StatusError } from '../../machinery/index.js';

/** HOP_BY_HOP are the headers a proxy must not forward (RFC 9110 section 7.6.1), plus the caller's credentials. */
const DROPPED = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'authorization', 'host']);

/** TargetRequest says where and how to send the forwarded request. */
export interface TargetRequest {
  scheme: 'http' | 'https';
  options: RequestOptions;
  /** what names the target in error messages ("service", "pod", "node"). */
  what: string;
}

function forwardedHeaders(req: IncomingMessage, upgrade: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers as IncomingHttpHeaders)) {
    if (v === undefined || DROPPED.has(k)) continue;
    out[k] = v;
  }
  if (upgrade) {
    out.connection = 'Upgrade';
    if (req.headers.upgrade) out.upgrade = req.headers.upgrade;
  }
  const peer = req.socket.remoteAddress;
  if (peer) out['x-forwarded-for'] = req.headers['x-forwarded-for'] ? `${String(req.headers['x-forwarded-for'])}, ${peer}` : peer;
  return out;
}

function send(t: TargetRequest, headers: Record<string, string | string[]>): ClientRequest {
  const opts: RequestOptions = { ...t.options, headers: { ...headers, ...(t.options.headers as object | undefined) } };
  if (t.scheme === 'https') return httpsRequest({ rejectUnauthorized: false, ...opts });
  return httpRequest(opts);
}

function unreachable(t: TargetRequest, err: Error): StatusError {
  return new StatusError(503, 'ServiceUnavailable', `error trying to reach ${t.what}: ${err.message}`);
}

/** proxyRequest relays a plain HTTP request and its answer. */
export function proxyRequest(t: TargetRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const up = send(t, forwardedHeaders(req, false));
    up.on('response', (answer) => {
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && k !== 'connection' && k !== 'keep-alive' && k !== 'transfer-encoding') headers[k] = v;
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
      answer.pipe(res);
      answer.on('end', resolve);
      answer.on('error', () => resolve());
      res.on('close', () => {
        answer.destroy();
        resolve();
      });
    });
    up.on('error', (err) => {
      if (res.headersSent) {
        res.destroy();
        resolve();
      } else reject(unreachable(t, err));
    });
    req.pipe(up);
  });
}

/** proxyUpgrade forwards an upgrade and splices the connections once the target accepts it. */
export function proxyUpgrade(t: TargetRequest, req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const up = send(t, forwardedHeaders(req, true));
    up.on('upgrade', (answer, upstream: Socket, upstreamHead: Buffer) => {
      socket.write(rawHead(answer));
      if (upstreamHead.length) socket.write(upstreamHead);
      if (head.length) upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
      const end = () => {
        upstream.destroy();
        socket.destroy();
      };
      upstream.on('error', end).on('close', end);
      socket.on('error', end).on('close', end);
      resolve();
    });
    up.on('response', (answer) => {
      // The target refused to switch protocols: its answer goes back as is.
      socket.write(rawHead(answer));
      answer.pipe(socket);
      answer.on('end', () => socket.end());
      resolve();
    });
    up.on('error', (err) => reject(unreachable(t, err)));
    up.end();
  });
}

function rawHead(res: IncomingMessage): string {
  const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}`];
  for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}
