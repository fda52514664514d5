// SPDX-License-Identifier: Apache-2.0
/**
 * KubeletClient is how the API server reaches a node's kubelet server:
 * HTTPS to the node's InternalIP and `status.daemonEndpoints.kubeletEndpoint`
 * port, authenticated with the API server's kubelet client certificate (as
 * upstream's --kubelet-client-certificate). Without a kubelet CA the serving
 * certificate is not verified, as upstream does when
 * --kubelet-certificate-authority is unset. The in-process agent can register
 * its endpoint directly (`setEndpoint`) so no lookup is needed.
 */
import { request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Node } from 'kubernetes-types/core/v1.js';
import { R, type Client } from '../../client/index.js';
import { StatusError } from '../../machinery/index.js';

/** KubeletEndpoint is where a node's kubelet server listens. */
export interface KubeletEndpoint {
  host: string;
  port: number;
}

/** KubeletClientOptions configure the API server's kubelet client. */
export interface KubeletClientOptions {
  client: Client;
  /** cert/key: the client certificate kubelets accept (CN kube-apiserver-kubelet-client). */
  cert: string;
  key: string;
  /** ca verifies kubelet serving certificates when given. */
  ca?: string;
}

/** The request headers a WebSocket (or SPDY) upgrade needs end to end. */
const UPGRADE_HEADERS = ['upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'x-stream-protocol-version'];

/** KubeletClient sends requests to kubelets by node name. */
export class KubeletClient {
  readonly #opts: KubeletClientOptions;
  readonly #endpoints = new Map<string, KubeletEndpoint>();

  constructor(opts: KubeletClientOptions) {
    this.#opts = opts;
  }

  /** setEndpoint pins a node's kubelet address (the in-process agent, tests). */
  setEndpoint(nodeName: string, endpoint: KubeletEndpoint): void {
    this.#endpoints.set(nodeName, endpoint);
  }

  /** endpoint finds a node's kubelet: a pinned address, else InternalIP and the advertised port. */
  async endpoint(nodeName: string): Promise<KubeletEndpoint> {
    const pinned = this.#endpoints.get(nodeName);
    if (pinned) return pinned;
    const node = (await this.#opts.client.get(R.nodes, nodeName)) as Node;
    const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
    const addrs = node.status?.addresses ?? [];
    const host = (addrs.find((a) => a.type === 'InternalIP') ?? addrs.find((a) => a.type === 'Hostname'))?.address;
    if (!host || !port) throw new StatusError(503, 'ServiceUnavailable', `node "${nodeName}" does not report a kubelet endpoint`);
    return { host, port };
  }

  async #options(nodeName: string, path: string, method: string): Promise<RequestOptions> {
    const ep = await this.endpoint(nodeName);
    return {
      host: ep.host, port: ep.port, path, method,
      cert: this.#opts.cert, key: this.#opts.key,
      ...(this.#opts.ca ? { ca: this.#opts.ca } : { rejectUnauthorized: false }),
    };
  }

  /** get sends a GET and resolves with the response (any status), to be streamed by the caller. */
  async get(nodeName: string, path: string, signal?: AbortSignal): Promise<IncomingMessage> {
    const opts = await this.#options(nodeName, path, 'GET');
    return new Promise((resolve, reject) => {
      const req = request({ ...opts, signal }, resolve);
      req.on('error', (err) => reject(unreachable(nodeName, err)));
      req.end();
    });
  }

  /** getJSON fetches and parses a JSON document, failing on a non-200 answer. */
  async getJSON<T>(nodeName: string, path: string): Promise<T> {
    const res = await this.get(nodeName, path, AbortSignal.timeout(30_000));
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (res.statusCode !== 200) throw new StatusError(503, 'ServiceUnavailable', `kubelet on node "${nodeName}" answered ${res.statusCode}: ${body}`);
    return JSON.parse(body) as T;
  }

  /**
   * upgrade forwards an upgrade request to the kubelet and, once it answers,
   * splices the two connections together byte for byte, so the protocol
   * (WebSocket with any subprotocol) is negotiated between the client and
   * the kubelet, as upstream's UpgradeAwareHandler does.
   */
  async upgrade(nodeName: string, path: string, req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const opts = await this.#options(nodeName, path, req.method ?? 'GET');
    const headers: Record<string, string> = { connection: 'Upgrade' };
    for (const h of UPGRADE_HEADERS) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    await new Promise<void>((resolve, reject) => {
      const up = request({ ...opts, headers });
      up.on('upgrade', (res, upstream: Socket, upstreamHead: Buffer) => {
        socket.write(rawHead(res));
        if (upstreamHead.length) socket.write(upstreamHead);
        if (head.length) upstream.write(head);
        upstream.pipe(socket).pipe(upstream);
        const end = () => { upstream.destroy(); socket.destroy(); };
        upstream.on('error', end).on('close', end);
        socket.on('error', end).on('close', end);
        resolve();
      });
      up.on('response', (res) => {
        // Refused upgrade: relay the kubelet's answer (a Status) as is.
        socket.write(rawHead(res));
        res.pipe(socket);
        res.on('end', () => socket.end());
        resolve();
      });
      up.on('error', (err) => reject(unreachable(nodeName, err)));
      up.end();
    });
  }
}

function rawHead(res: IncomingMessage): string {
  const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}`];
  for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function unreachable(nodeName: string, err: Error): StatusError {
  return new StatusError(502, 'InternalError', `error dialing the kubelet on node "${nodeName}": ${err.message}`);
}
