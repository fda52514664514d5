// SPDX-License-Identifier: Apache-2.0
/** How the API server's HTTPS listener treats connections: keep-alive timeouts and requests Node's parser refused. */
import type { ServerOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { ClusterPKI } from '../certs.js';
import { StatusError } from '../../machinery/index.js';

/**
 * answerClientError answers a request Node's HTTP parser refused (unknown
 * method, malformed request line or headers, headers too large) with a
 * Status, so even those clients get the error shape every other answer has;
 * Go's server answers these 400 (431 for large headers) before any handler.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const code = tooLarge ? 431 : timedOut ? 408 : 400;
  const message = tooLarge ? 'request header fields too large' : timedOut ? 'the request was not received in full within 60s' : `malformed HTTP request: ${err.code ?? err.message}`;
  const body = JSON.stringify(new StatusError(code, timedOut ? 'Timeout' : 'BadRequest', message).toStatus());
  const text = tooLarge ? 'Request Header Fields Too Large' : timedOut ? 'Request Timeout' : 'Bad Request';
  socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * KEEP_ALIVE serves idle connections as kube-apiserver's Go server does
 * (k8s.io/apiserver/pkg/server/secure_serving.go: IdleTimeout 90 s to match
 * http.DefaultTransport, ReadHeaderTimeout 32 s), not Node's 5 s default.
 * Clients (client-go: 90 s idle timeout) reuse a connection long after a
 * request; a server that closed it first makes that request fail with
 * ECONNRESET. The idle timeout is a little past 90 s so the client, not the
 * server, is the one that gives up an idle connection.
 */
export const KEEP_ALIVE = { keepAliveTimeout: 95_000, headersTimeout: 32_000 } as const;

/** httpsServerOptions: the serving certificate, optional client certificates, and kube-apiserver's timeouts. */
export function httpsServerOptions(pki: ClusterPKI): ServerOptions {
  return {
    key: pki.serving.key,
    // The chain ends with the CA, so a joining agent can pin it by hash before trusting it (kubeadm's discovery).
    cert: `${pki.serving.cert.trimEnd()}\n${pki.ca.cert}`,
    ca: pki.ca.cert,
    requestCert: true,
    rejectUnauthorized: false,
    ...KEEP_ALIVE,
    // kube-apiserver's default --request-timeout (60 s) bounds sending a
    // whole request too: a client trickling a body cannot hold a
    // connection longer. Watches are not affected: their request ends
    // before the stream starts.
    requestTimeout: 60_000,
  };
}
