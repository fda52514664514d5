// SPDX-License-Identifier: Apache-2.0
/**
 * Requests for a remote APIService's group/version, relayed as
 * kube-aggregator's proxy handler does: an unavailable APIService (or one
 * whose service has no endpoint) answers 503 `service unavailable`;
 * otherwise the request goes, path and query unchanged, over HTTPS with the
 * front-proxy client certificate and the caller's identity headers to an
 * endpoint of the service; the answer streams back (watches included), and
 * upgrades (exec-style streams, WebSocket watches) are spliced.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import type { PemPair } from '../../pki/index.js';
import { proxyRequest, proxyUpgrade, type TargetRequest } from '../proxy/index.js';
import { withIdentityHeaders, type UserWithExtra } from './front-proxy.js';
import { tlsOptionsFor } from './remote-transport.js';
import { resolveEndpoint, serviceRefOf, type Lookup } from './service-resolver.js';
import { isAvailable, type APIService } from './types.js';

export interface ProxyHandlerOptions {
  proxyClient: PemPair;
  services: Lookup<Service>;
  endpoints: Lookup<Endpoints>;
  log?: (msg: string) => void;
}

/** UNAVAILABLE is upstream's answer (http.Error: text/plain with a newline). */
const UNAVAILABLE = 'service unavailable';

export class ProxyHandler {
  readonly #o: ProxyHandlerOptions;

  constructor(o: ProxyHandlerOptions) {
    this.#o = o;
  }

  /** serve relays a plain request to the APIService's server. */
  async serve(s: APIService, req: IncomingMessage, res: ServerResponse, user: UserWithExtra): Promise<void> {
    const target = this.#target(s, req);
    if (!target) return plainError(res, 503, UNAVAILABLE);
    withIdentityHeaders(req.headers, user);
    try {
      await proxyRequest(target, req, res);
    } catch (err) {
      this.#o.log?.(`aggregator: ${s.metadata.name}: ${(err as Error).message}`);
      if (!res.headersSent) plainError(res, 503, (err as Error).message);
    }
  }

  /** serveUpgrade relays an upgrade request and splices the connections. */
  async serveUpgrade(s: APIService, req: IncomingMessage, socket: Socket, head: Buffer, user: UserWithExtra): Promise<void> {
    const target = this.#target(s, req);
    if (!target) return upgradeError(socket, UNAVAILABLE);
    withIdentityHeaders(req.headers, user);
    try {
      await proxyUpgrade(target, req, socket, head);
    } catch (err) {
      upgradeError(socket, (err as Error).message);
    }
  }

  #target(s: APIService, req: IncomingMessage): TargetRequest | undefined {
    if (!isAvailable(s)) return undefined;
    let endpoint;
    try {
      endpoint = resolveEndpoint(serviceRefOf(s.spec)!, this.#o.services, this.#o.endpoints);
    } catch (err) {
      this.#o.log?.(`aggregator: error resolving ${s.spec?.service?.namespace}/${s.spec?.service?.name}: ${(err as Error).message}`);
      return undefined;
    }
    return { scheme: 'https', what: 'service', options: { ...tlsOptionsFor(s, this.#o.proxyClient), host: endpoint.host, port: endpoint.port, path: req.url ?? '/', method: req.method ?? 'GET' } };
  }
}

function plainError(res: ServerResponse, code: number, text: string): void {
  const body = `${text}\n`;
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function upgradeError(socket: Socket, text: string): void {
  const body = `${text}\n`;
  socket.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
