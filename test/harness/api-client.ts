// SPDX-License-Identifier: Apache-2.0
/**
 * ApiClient sends raw HTTPS requests to a test server with the admin
 * credentials of its kubeconfig over keep-alive connections (the harness's
 * request() opens one TLS connection per call, too slow for tens of
 * thousands of requests). Watch answers are cut after their headers.
 */
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** ApiAnswer is what came back: status, headers and the body text (empty for a cut stream). */
export interface ApiAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface KubeconfigDoc {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
}

export class ApiClient {
  readonly #url: string;
  readonly #agent: Agent;
  readonly #tls: { ca: Buffer; cert: Buffer; key: Buffer };

  constructor(kubeconfig: string, opts: { maxSockets?: number } = {}) {
    const doc = parse(readFileSync(kubeconfig, 'utf8')) as KubeconfigDoc;
    this.#url = doc.clusters[0].cluster.server;
    const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
    this.#tls = { ca: b64(doc.clusters[0].cluster['certificate-authority-data']), cert: b64(doc.users[0].user['client-certificate-data']), key: b64(doc.users[0].user['client-key-data']) };
    this.#agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 24, ...this.#tls });
  }

  /** send issues one request; the path is sent as given (no URL normalization of `..` or escapes). */
  send(method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<ApiAnswer> {
    const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const u = new URL(this.#url);
    return new Promise((resolve, reject) => {
      const req = request(
        { host: u.hostname, port: u.port, method, path, agent: this.#agent, headers: { ...(data ? { 'Content-Length': String(data.length) } : {}), ...headers } },
        (res) => {
          const streaming = /watch=(1|true)/.test(path) && res.statusCode === 200;
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
          if (streaming) {
            // A watch stream is fine once it started; end it so the socket is not held.
            setTimeout(() => {
              req.destroy();
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
            }, 20);
          }
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  /** lines opens a streaming GET (a watch) and calls onLine per line until the stream ends or fails; resolves with the HTTP status. */
  lines(path: string, onLine: (line: string) => void, signal?: AbortSignal): Promise<number> {
    const u = new URL(this.#url);
    const onAbort = (): void => void req.destroy();
    let req: ReturnType<typeof request>;
    const done = new Promise<number>((resolve, reject) => {
      req = request({ host: u.hostname, port: u.port, method: 'GET', path, agent: false, ...this.#tls }, (res) => {
        let rest = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          const parts = (rest + d).split('\n');
          rest = parts.pop()!;
          for (const p of parts) if (p) onLine(p);
        });
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(res.statusCode ?? 0));
        res.on('aborted', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      signal?.addEventListener('abort', onAbort, { once: true });
      req.end();
    });
    return done.finally(() => signal?.removeEventListener('abort', onAbort));
  }

  /** json sends a JSON body (or none) and parses a JSON answer. */
  async json<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; object: T }> {
    const r = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? {} : { 'Content-Type': 'application/json' });
    return { status: r.status, object: (r.body ? JSON.parse(r.body) : {}) as T };
  }

  close(): void {
    this.#agent.destroy();
  }
}
