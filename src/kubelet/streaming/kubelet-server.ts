// SPDX-License-Identifier: Apache-2.0
/**
 * KubeletServer is the node's HTTPS endpoint (port 10250 upstream) that the
 * API server calls for pod logs, exec, attach, port-forward and stats:
 *
 *   GET  /healthz
 *   GET  /containerLogs/{namespace}/{pod}/{container}?follow&tailLines&...[&podUID=]
 *   WS   /exec/{namespace}/{pod}[/{uid}]/{container}?command=...&stdin&stdout&stderr&tty
 *   WS   /attach/{namespace}/{pod}[/{uid}]/{container}?stdin&stdout&stderr&tty
 *   WS   /portForward/{namespace}/{pod}[/{uid}]
 *   GET  /stats/summary
 *
 * The forms with {uid} are upstream's; they pin one incarnation of the pod,
 * so a pod deleted and recreated under the same name is never confused with
 * its predecessor. `podUID` on /containerLogs is our addition for the same
 * reason (upstream's kubelet resolves the name through its pod manager,
 * which only knows the current pod).
 *
 * Callers authenticate with a client certificate signed by the cluster CA
 * whose subject is the API server's kubelet client (or a cluster admin), as
 * upstream's kubelet trusts --client-ca-file. The same server serves the
 * in-process agent of `skiff server` and a remote `skiff agent`.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import { QueryParameterError, queryBool, newStatus, type StatusReason } from '../../machinery/index.js';
import type { RuntimeService } from '../cri/runtime-service.js';
import { CriError } from '../cri/errors.js';
import { readContainerLog } from './container-log-reader.js';
import { EXEC_PROTOCOLS, bridgeExec, type ExecStreams } from './exec-bridge.js';
import { KUBELET_CLIENT_USER, LogOptionsError, parseLogOptions } from '../../api/index.js';
import { LocateError, PodLocator } from './pod-locator.js';
import { proxyWebSocketPortForward, serveSpdyPortForward, SPDY_PORT_FORWARD_PROTOCOL } from './port-forward-bridge.js';
import { selfSignedServingCert, type ServingCert } from './serving-cert.js';
import { StatsProvider } from './stats-summary.js';

export { KUBELET_CLIENT_USER };

/** DEFAULT_KUBELET_PORT is upstream's kubelet port. */
export const DEFAULT_KUBELET_PORT = 10250;

/** KubeletServerOptions configure the node's streaming server. */
export interface KubeletServerOptions {
  runtime: RuntimeService;
  nodeName: string;
  /** clientCA is the PEM CA whose client certificates may call (the cluster CA). */
  clientCA: string;
  /** host to bind (default 0.0.0.0, as upstream) and port (default 10250; 0 picks a free one). */
  host?: string;
  port?: number;
  /** servingCert defaults to a fresh self-signed certificate. */
  servingCert?: ServingCert;
  /** allowedUsers are the certificate CNs admitted besides members of system:masters. */
  allowedUsers?: string[];
  log?: (msg: string) => void;
}

const PORT_FORWARD_WS_PROTOCOLS = ['v4.channel.k8s.io', 'portforward.k8s.io'];

/** HttpError is answered as a Status with this code. */
class HttpError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** KubeletServer serves logs, exec, attach, port-forward and stats for the pods of one node. */
export class KubeletServer {
  readonly #opts: KubeletServerOptions;
  readonly #locator: PodLocator;
  readonly #stats: StatsProvider;
  // No UTF-8 check on text frames: upstream's wsstream reads every frame as bytes, and a text frame's first byte is a channel.
  readonly #wss = new WebSocketServer({ noServer: true, skipUTF8Validation: true });
  readonly #sockets = new Set<Socket>();
  #server?: Server;

  constructor(opts: KubeletServerOptions) {
    this.#opts = opts;
    this.#wss.on('headers', (headers: string[], req: IncomingMessage) => {
      const p = NEGOTIATED.get(req);
      if (p) headers.push(`Sec-WebSocket-Protocol: ${p}`);
    });
    this.#locator = new PodLocator(opts.runtime);
    this.#stats = new StatsProvider(opts.runtime, opts.nodeName);
  }

  /** port is the bound port (after listen). */
  get port(): number {
    const a = this.#server?.address();
    return a && typeof a === 'object' ? a.port : (this.#opts.port ?? DEFAULT_KUBELET_PORT);
  }

  /** listen starts serving. */
  /** setServingCertificate switches to a renewed serving certificate; connections made afterwards present it. */
  setServingCertificate(pair: ServingCert): void {
    this.#server?.setSecureContext({ key: pair.key, cert: pair.cert, ca: this.#opts.clientCA });
  }

  async listen(): Promise<void> {
    const tls = this.#opts.servingCert ?? (await selfSignedServingCert(this.#opts.nodeName));
    const server = createServer({ key: tls.key, cert: tls.cert, ca: this.#opts.clientCA, requestCert: true, rejectUnauthorized: false });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.#handle(req, res).catch((err) => writeStatus(res, toHttpError(err)));
    });
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      this.#upgrade(req, socket, head).catch((err) => rejectUpgrade(socket, toHttpError(err)));
    });
    server.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#opts.port ?? DEFAULT_KUBELET_PORT, this.#opts.host ?? '0.0.0.0', () => resolve());
    });
  }

  /** close stops serving and ends open streams. */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of this.#sockets) s.destroy();
    });
    for (const ws of this.#wss.clients) ws.terminate();
  }

  #authorize(req: IncomingMessage): void {
    const socket = req.socket as TLSSocket;
    const cert = socket.authorized ? socket.getPeerCertificate() : undefined;
    if (!cert?.subject) throw new HttpError(401, 'Unauthorized');
    const cn = [cert.subject.CN].flat()[0] ?? '';
    const groups = [cert.subject.O ?? []].flat();
    const allowed = this.#opts.allowedUsers ?? [KUBELET_CLIENT_USER];
    if (!allowed.includes(cn) && !groups.includes('system:masters')) throw new HttpError(403, `Forbidden (user=${cn}, verb=get, resource=nodes, subresource=proxy)`);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    if (url.pathname === '/healthz') return void res.end('ok');
    this.#authorize(req);
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (req.method === 'GET' && parts[0] === 'containerLogs' && parts.length === 4) return this.#containerLogs(req, res, parts, url.searchParams);
    if (req.method === 'GET' && url.pathname === '/stats/summary') {
      const body = JSON.stringify(await this.#stats.summary());
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end(body);
    }
    if (['exec', 'attach', 'portForward'].includes(parts[0])) throw new HttpError(400, 'Upgrade request required');
    throw new HttpError(404, 'the server could not find the requested resource');
  }

  async #containerLogs(req: IncomingMessage, res: ServerResponse, parts: string[], q: URLSearchParams): Promise<void> {
    const [, ns, pod, name] = parts;
    const opts = parseLogOptions(q);
    const c = await this.#locator.container(ns, pod, name, { previous: opts.previous, uid: q.get('podUID') || undefined });
    const { status } = await this.#opts.runtime.containerStatus({ container_id: c.id });
    if (!status?.log_path) throw new HttpError(404, `no log file for container "${name}" in pod "${pod}"`);
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    const running = async () => {
      const s = await this.#opts.runtime.containerStatus({ container_id: c.id }).catch(() => undefined);
      return s?.status?.state === 'CONTAINER_RUNNING';
    };
    const sink = (chunk: Buffer) => new Promise<void>((resolve) => (res.write(chunk) ? resolve() : res.once('drain', resolve)));
    try {
      await readContainerLog(status.log_path, opts, sink, { running, signal: abort.signal });
    } catch (err) {
      // Headers are gone; all we can do is end the stream and say why in our log.
      this.#opts.log?.(`containerLogs ${ns}/${pod}/${name}: ${(err as Error).message}`);
    }
    res.end();
  }

  async #upgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    this.#authorize(req);
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const q = url.searchParams;
    const log = this.#opts.log ?? (() => undefined);
    if ((parts[0] === 'exec' || parts[0] === 'attach') && (parts.length === 4 || parts.length === 5)) {
      const [kind, ns, pod] = parts;
      const uid = parts.length === 5 ? parts[3] : undefined;
      const { url: streamURL, streams } = await this.#execURL(kind, { ns, pod, uid, container: parts[parts.length - 1] }, q);
      return this.#accept(req, socket, head, (ws) => bridgeExec(ws, streamURL, streams, log));
    }
    if (parts[0] === 'portForward' && (parts.length === 3 || parts.length === 4)) {
      const sandbox = await this.#locator.sandbox(parts[1], parts[2], parts[3]);
      const urlFor = async (port: number) => (await this.#opts.runtime.portForward({ pod_sandbox_id: sandbox.id, port: [port] })).url;
      const ports = q.getAll('port').map(Number);
      return this.#accept(req, socket, head, (ws, protocol) => {
        if (protocol === SPDY_PORT_FORWARD_PROTOCOL) return serveSpdyPortForward(ws, urlFor, log);
        void urlFor(ports[0]).then((u) => proxyWebSocketPortForward(ws, u, ports, log), () => ws.close());
      });
    }
    throw new HttpError(404, 'the server could not find the requested resource');
  }

  async #execURL(kind: string, target: ContainerTarget, q: URLSearchParams): Promise<{ url: string; streams: ExecStreams }> {
    const flag = (n: string) => queryBool(q, n);
    const c = await this.#locator.container(target.ns, target.pod, target.container, { uid: target.uid });
    const streams = { stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), tty: flag('tty') };
    if (!streams.stdin && !streams.stdout && !streams.stderr) throw new HttpError(400, 'you must specify at least 1 of stdin, stdout, stderr');
    // A tty merges stderr into stdout; CRI refuses both at once (upstream's kubelet clears stderr the same way).
    if (streams.tty) streams.stderr = false;
    if (kind === 'attach') return { url: (await this.#opts.runtime.attach({ container_id: c.id, ...streams })).url, streams };
    const cmd = q.getAll('command');
    if (cmd.length === 0) throw new HttpError(400, 'you must specify at least one command for the container');
    return { url: (await this.#opts.runtime.exec({ container_id: c.id, cmd, ...streams })).url, streams };
  }

  #accept(req: IncomingMessage, socket: Socket, head: Buffer, serve: (ws: WebSocket, protocol: string) => void): void {
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw new HttpError(400, 'only WebSocket upgrades are supported');
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    const protocol = chooseProtocol(new Set(offered));
    if (!protocol) throw new HttpError(403, `none of the subprotocols ${JSON.stringify(offered)} is supported`);
    // ws rejects "SPDY/3.1+portforward.k8s.io" ('/' is not a token character), so we negotiate
    // the subprotocol ourselves and add it to the 101 answer (see the 'headers' listener).
    delete req.headers['sec-websocket-protocol'];
    NEGOTIATED.set(req, protocol);
    this.#wss.handleUpgrade(req, socket, head, (ws) => serve(ws, protocol));
  }
}

/** ContainerTarget names a container of a pod, optionally of one pod incarnation (uid). */
interface ContainerTarget {
  ns: string;
  pod: string;
  uid?: string;
  container: string;
}

const NEGOTIATED = new WeakMap<IncomingMessage, string>();

/** chooseProtocol picks the first subprotocol we serve, in our order of preference. */
function chooseProtocol(offered: Set<string>): string | false {
  for (const p of [...EXEC_PROTOCOLS, SPDY_PORT_FORWARD_PROTOCOL, ...PORT_FORWARD_WS_PROTOCOLS]) if (offered.has(p)) return p;
  return false;
}

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof LocateError) return new HttpError(err.code, err.message);
  if (err instanceof LogOptionsError || err instanceof QueryParameterError) return new HttpError(400, err.message);
  if (err instanceof CriError && err.code === 'NotFound') return new HttpError(404, err.message);
  return new HttpError(500, err instanceof Error ? err.message : String(err));
}

const REASONS: Record<number, StatusReason> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 500: 'InternalError' };

function statusBody(e: HttpError): string {
  return JSON.stringify(newStatus({ status: 'Failure', message: e.message, reason: REASONS[e.code] ?? 'InternalError', code: e.code }));
}

function writeStatus(res: ServerResponse, e: HttpError): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(e.code, { 'Content-Type': 'application/json' });
  res.end(statusBody(e));
}

function rejectUpgrade(socket: Socket, e: HttpError): void {
  const body = statusBody(e);
  socket.end(`HTTP/1.1 ${e.code} ${REASONS[e.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
