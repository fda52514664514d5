// SPDX-License-Identifier: Apache-2.0
/**
 * The data plane: HTTP and HTTPS listeners that route each request through
 * the current RouteTable and proxy it to an upstream endpoint. Headers
 * follow ingress-nginx's defaults: the Host header passes through,
 * X-Forwarded-For is appended to, X-Real-IP, X-Forwarded-Host/-Port/-Proto
 * and X-Scheme describe the original request, and hop-by-hop headers
 * (RFC 9110 §7.6.1) are dropped. Upgrade requests (WebSocket) are tunnelled
 * as raw sockets once the backend answers 101.
 */
import { Agent, createServer as createHttpServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { RouteTable, type RouteMatch } from './route-table.js';
import type { TLSStore } from './tls-store.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'proxy-authorization']);

/** IngressProxyOptions configures the listeners. */
export interface IngressProxyOptions {
  httpPort: number;
  httpsPort: number;
  bindAddress: string;
  tls: TLSStore;
  log?: (msg: string) => void;
}

/** IngressProxy owns the listeners; swap `table` to change routing atomically. */
export class IngressProxy {
  table = new RouteTable(new Map(), new Map());
  readonly #opts: IngressProxyOptions;
  /** One keep-alive agent: Node pools its sockets per backend host:port; LIFO reuses the warmest socket. */
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' });
  #http?: Server;
  #https?: Server;

  constructor(opts: IngressProxyOptions) {
    this.#opts = opts;
  }

  /** listen binds both listeners; it rejects when a port is taken. */
  async listen(): Promise<void> {
    const { tls, bindAddress } = this.#opts;
    this.#http = createHttpServer((req, res) => this.#serve(req, res, false));
    this.#https = createHttpsServer({ SNICallback: (name, cb) => cb(null, tls.contextFor(name)) }, (req, res) => this.#serve(req, res, true));
    for (const [server, secure] of [[this.#http, false], [this.#https, true]] as const) {
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#upgrade(req, socket, head, secure));
      server.keepAliveTimeout = 75_000; // nginx's keepalive_timeout default
    }
    await listenOn(this.#http, this.#opts.httpPort, bindAddress);
    await listenOn(this.#https, this.#opts.httpsPort, bindAddress);
  }

  /** httpPort and httpsPort are the bound ports (useful when asked for port 0). */
  get httpPort(): number {
    return (this.#http?.address() as AddressInfo | null)?.port ?? 0;
  }

  get httpsPort(): number {
    return (this.#https?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** close stops both listeners and drops idle and open connections. */
  async close(): Promise<void> {
    const closing = [this.#http, this.#https].map((s) => s && new Promise<void>((r) => s.close(() => r())));
    for (const s of [this.#http, this.#https]) s?.closeAllConnections();
    this.#agent.destroy();
    await Promise.all(closing);
  }

  #route(req: IncomingMessage, secure: boolean, reply: (status: number, body: string, headers?: OutgoingHttpHeaders) => void): RouteMatch | undefined {
    const m = this.table.match(req.headers.host, req.url ?? '/');
    if (!m) return void reply(404, 'default backend - 404\n');
    if (!secure && m.target.sslRedirect) {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '');
      const port = this.httpsPort === 443 ? '' : `:${this.httpsPort}`;
      return void reply(308, '', { location: `https://${host}${port}${req.url ?? '/'}` });
    }
    if (m.target.upstream.problem) return void reply(503, '503 Service Temporarily Unavailable\n');
    return m;
  }

  #serve(req: IncomingMessage, res: ServerResponse, secure: boolean): void {
    const m = this.#route(req, secure, (status, body, headers) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      res.end(body);
    });
    const ep = m?.target.upstream.next();
    if (!m || !ep) return;
    const preq = httpRequest({ host: ep.host, port: ep.port, method: req.method, path: m.path, headers: forwardedHeaders(req, secure, false), agent: this.#agent });
    preq.on('response', (pres) => {
      res.writeHead(pres.statusCode ?? 502, pres.statusMessage, withoutHopByHop(pres.rawHeaders));
      pres.pipe(res);
    });
    preq.on('error', (err) => {
      this.#opts.log?.(`ingress: ${m.target.upstream.key} at ${ep.host}:${ep.port}: ${err.message}`);
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('502 Bad Gateway\n');
      } else res.destroy();
    });
    res.on('close', () => {
      if (!res.writableFinished) preq.destroy();
    });
    // Most requests carry no body: ending at once sends headers in one write instead of waiting for the request stream to end.
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) preq.end();
    else req.pipe(preq);
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, secure: boolean): void {
    socket.on('error', () => socket.destroy());
    const m = this.#route(req, secure, (status, body, headers) => socket.end(rawResponse(status, body, headers)));
    const ep = m?.target.upstream.next();
    if (!m || !ep) return;
    // A dedicated connection: an upgraded socket never returns to the keep-alive pool.
    const preq = httpRequest({ host: ep.host, port: ep.port, method: req.method, path: m.path, headers: forwardedHeaders(req, secure, true), agent: false });
    preq.on('upgrade', (pres, psocket, phead) => {
      socket.write(`HTTP/1.1 101 ${pres.statusMessage ?? 'Switching Protocols'}\r\n${headerLines(pres.rawHeaders)}\r\n`);
      if (phead.length) socket.write(phead);
      if (head.length) psocket.write(head);
      psocket.on('error', () => socket.destroy());
      socket.on('close', () => psocket.destroy());
      psocket.on('close', () => socket.destroy());
      psocket.pipe(socket).pipe(psocket);
    });
    preq.on('response', (pres) => {
      // The backend declined the upgrade: relay its answer and close.
      socket.write(`HTTP/1.1 ${pres.statusCode} ${pres.statusMessage ?? ''}\r\n${headerLines(withoutHopByHop(pres.rawHeaders))}connection: close\r\n\r\n`);
      pres.pipe(socket);
    });
    preq.on('error', () => socket.end(rawResponse(502, '502 Bad Gateway\n')));
    preq.end();
  }
}

function listenOn(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** forwardedHeaders copies the client's headers for the upstream request, as ingress-nginx's proxy_set_header defaults. */
export function forwardedHeaders(req: IncomingMessage, secure: boolean, upgrade: boolean): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  const h = req.headers;
  for (const k in h) if (!HOP_BY_HOP.has(k)) out[k] = h[k];
  const client = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
  const prior = h['x-forwarded-for'];
  const proto = secure ? 'https' : 'http';
  out['x-forwarded-for'] = prior ? `${prior}, ${client}` : client;
  out['x-real-ip'] = client;
  out['x-forwarded-host'] = h.host ?? '';
  out['x-forwarded-port'] = String(req.socket.localPort ?? '');
  out['x-forwarded-proto'] = proto;
  out['x-scheme'] = proto;
  if (upgrade) {
    out.connection = 'upgrade';
    if (h.upgrade) out.upgrade = h.upgrade;
  }
  return out;
}

/** withoutHopByHop filters a raw [name, value, ...] header list. */
function withoutHopByHop(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i].toLowerCase())) out.push(raw[i], raw[i + 1]);
  return out;
}

function headerLines(raw: string[]): string {
  let s = '';
  for (let i = 0; i < raw.length; i += 2) s += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return s;
}

function rawResponse(status: number, body: string, headers: OutgoingHttpHeaders = {}): string {
  const reason = { 308: 'Permanent Redirect', 404: 'Not Found', 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable' }[status] ?? '';
  let s = `HTTP/1.1 ${status} ${reason}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n`;
  for (const [k, v] of Object.entries(headers)) s += `${k}: ${String(v)}\r\n`;
  return `${s}\r\n${body}`;
}
