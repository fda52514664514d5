// SPDX-License-Identifier: Apache-2.0
/**
 * HttpClient is the Client of components outside the server process (node
 * agents, tools, benchmarks): HTTPS with the cluster CA and a client
 * certificate or bearer token, keep-alive connections, and watch streams
 * read line by line. Failed requests throw the server's Status as a
 * StatusError, so callers handle errors the same way as in-process.
 */
import { Agent, request, type RequestOptions as HttpsRequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { KubeList, KubeObject, WatchEvent } from '../api/index.js';
import { StatusError, type Status } from '../machinery/index.js';
import type { Client, DeleteOptions, ListOptions, PatchType, RequestOptions, ResourceRef, WatchOptions } from './client.js';

export interface HttpClientOptions {
  server: string;
  /**
   * More API servers of the same cluster to fail over to, as k3s's agent load
   * balancer: a request that cannot connect to the current server goes to the
   * next one. setServers replaces the list (from the `kubernetes` endpoints).
   */
  servers?: string[];
  /** How long a new connection may take before the server counts as unreachable (default 5 s). */
  connectTimeoutMs?: number;
  ca: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  token?: string;
  /** Concurrent connections kept open to the server. */
  maxSockets?: number;
}

interface KubeconfigDoc {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  clusters?: { name: string; cluster: { server: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string } }[];
  users?: { name: string; user: { 'client-certificate-data'?: string; 'client-key-data'?: string; token?: string } }[];
}

/** loadKubeconfig reads the current context of a kubeconfig file into client options. */
export function loadKubeconfig(path: string): HttpClientOptions {
  const doc = parse(readFileSync(path, 'utf8')) as KubeconfigDoc;
  const ctx = doc.contexts?.find((c) => c.name === doc['current-context']) ?? doc.contexts?.[0];
  if (!ctx) throw new Error(`${path}: no context`);
  const cluster = doc.clusters?.find((c) => c.name === ctx.context.cluster)?.cluster;
  const user = doc.users?.find((u) => u.name === ctx.context.user)?.user;
  if (!cluster) throw new Error(`${path}: cluster ${ctx.context.cluster} not found`);
  const b64 = (s?: string) => (s ? Buffer.from(s, 'base64') : undefined);
  const ca = b64(cluster['certificate-authority-data']) ?? (cluster['certificate-authority'] ? readFileSync(cluster['certificate-authority']) : undefined);
  if (!ca) throw new Error(`${path}: cluster has no certificate authority`);
  return { server: cluster.server, ca, cert: b64(user?.['client-certificate-data']), key: b64(user?.['client-key-data']), token: user?.token };
}

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** resourcePath builds `/api/v1/namespaces/NS/pods/NAME/SUB` style paths. */
export function resourcePath(ref: ResourceRef, namespace?: string, name?: string, subresource?: string): string {
  let p = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  if (namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${ref.resource}`;
  if (name) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

/** CONNECT_FAILURES are errors raised before a request reached a server, so sending it elsewhere is safe for every method. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ECONNECT_TIMEOUT']);

export class HttpClient implements Client {
  #opts: HttpClientOptions;
  #agent: Agent;
  /**
   * watchAgent carries watches. A watch holds its connection for minutes, and over HTTP/1.1 (the API server speaks
   * no HTTP/2, on which client-go multiplexes every watch over one connection) each needs one of its own: watches
   * get their own pool, without a cap, so a kubelet's per-object watches never starve its requests of connections.
   */
  #watchAgent: Agent;
  readonly #retired: Agent[] = [];
  #servers: string[];
  #active = 0;

  constructor(opts: HttpClientOptions) {
    this.#opts = opts;
    this.#servers = [...new Set([opts.server, ...(opts.servers ?? [])])];
    this.#agent = HttpClient.#newAgent(opts);
    this.#watchAgent = HttpClient.#newAgent(opts, Infinity);
  }

  static #newAgent(opts: HttpClientOptions, maxSockets = opts.maxSockets ?? 16): Agent {
    return new Agent({ keepAlive: true, maxSockets, ca: opts.ca, cert: opts.cert, key: opts.key });
  }

  /**
   * setClientCertificate switches to a new client certificate (a rotated
   * kubelet certificate): new requests use it; requests and watches in
   * flight finish on their connections, which stay valid until the old
   * certificate expires.
   */
  setClientCertificate(cert: string | Buffer, key: string | Buffer): void {
    this.#opts = { ...this.#opts, cert, key, token: undefined };
    this.#retired.push(this.#agent, this.#watchAgent);
    this.#agent = HttpClient.#newAgent(this.#opts);
    this.#watchAgent = HttpClient.#newAgent(this.#opts, Infinity);
  }

  /** servers lists the API servers this client may use, the current one first. */
  get servers(): string[] {
    return [...this.#servers.slice(this.#active), ...this.#servers.slice(0, this.#active)];
  }

  /** setServers replaces the list (the --server URL stays as a last resort); the current server stays current if listed. */
  setServers(servers: string[]): void {
    const current = this.#servers[this.#active]!;
    this.#servers = [...new Set([...servers, this.#opts.server])];
    this.#active = Math.max(0, this.#servers.indexOf(current));
  }

  close(): void {
    this.#agent.destroy();
    this.#watchAgent.destroy();
    for (const a of this.#retired) a.destroy();
  }

  /** send tries each server at most once, moving on only when the connection itself failed. */
  async #send(method: string, path: string, body?: unknown, contentType = 'application/json', signal?: AbortSignal, agent = this.#agent): Promise<IncomingMessage> {
    for (let tried = 1; ; tried++) {
      const server = this.#servers[this.#active]!;
      try {
        return await this.#sendTo(server, method, path, body, contentType, signal, agent);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (!CONNECT_FAILURES.has(code) || tried >= this.#servers.length || signal?.aborted) throw err;
        if (this.#servers[this.#active] === server) this.#active = (this.#active + 1) % this.#servers.length;
      }
    }
  }

  #sendTo(server: string, method: string, path: string, body: unknown, contentType: string, signal: AbortSignal | undefined, agent: Agent): Promise<IncomingMessage> {
    const url = new URL(path, server);
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { Accept: 'application/json' };
    if (data) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = data.length;
    }
    if (this.#opts.token) headers.Authorization = `Bearer ${this.#opts.token}`;
    const options: HttpsRequestOptions = { method, agent, headers, signal };
    return new Promise((resolve, reject) => {
      const req = request(url, options, resolve);
      req.on('error', reject);
      // A machine that died answers nothing (no RST): give up on connecting after a bound, as a connect failure.
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(() => req.destroy(Object.assign(new Error(`connecting to ${url.host} timed out`), { code: 'ECONNECT_TIMEOUT' })), this.#opts.connectTimeoutMs ?? 5_000);
        socket.once('connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      });
      if (data) req.write(data);
      req.end();
    });
  }

  async #json<T>(method: string, path: string, body?: unknown, contentType?: string, signal?: AbortSignal): Promise<T> {
    const res = await this.#send(method, path, body, contentType, signal);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const code = res.statusCode ?? 0;
    if (code >= 400) throw toStatusError(code, text);
    return JSON.parse(text) as T;
  }

  get<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, opts: RequestOptions = {}): Promise<T> {
    return this.#json('GET', resourcePath(ref, opts.namespace, name, opts.subresource), undefined, undefined, opts.signal);
  }

  list<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: ListOptions = {}): Promise<KubeList<T>> {
    const q = listQuery(opts);
    return this.#json('GET', resourcePath(ref, opts.namespace) + q, undefined, undefined, opts.signal);
  }

  async *watch<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: WatchOptions): AsyncIterable<WatchEvent<T>> {
    const params = new URLSearchParams(listQuery(opts).slice(1));
    params.set('watch', 'true');
    if (opts.allowWatchBookmarks) params.set('allowWatchBookmarks', 'true');
    if (opts.timeoutSeconds) params.set('timeoutSeconds', String(opts.timeoutSeconds));
    if (opts.sendInitialEvents !== undefined) params.set('sendInitialEvents', String(opts.sendInitialEvents));
    let res: IncomingMessage;
    try {
      res = await this.#send('GET', `${resourcePath(ref, opts.namespace)}?${params}`, undefined, undefined, opts.signal, this.#watchAgent);
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw err;
    }
    if ((res.statusCode ?? 0) >= 400) {
      let text = '';
      for await (const c of res) text += (c as Buffer).toString();
      throw toStatusError(res.statusCode ?? 500, text);
    }
    let buf = '';
    try {
      for await (const chunk of res) {
        buf += (chunk as Buffer).toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) yield JSON.parse(line) as WatchEvent<T>;
        }
      }
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw err;
    }
  }

  create<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: T, opts: RequestOptions = {}): Promise<T> {
    const name = opts.subresource ? obj.metadata.name : undefined;
    return this.#json('POST', resourcePath(ref, opts.namespace ?? obj.metadata.namespace, name, opts.subresource) + writeQuery(opts), obj);
  }

  update<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: T, opts: RequestOptions = {}): Promise<T> {
    return this.#json('PUT', resourcePath(ref, opts.namespace ?? obj.metadata.namespace, obj.metadata.name, opts.subresource) + writeQuery(opts), obj);
  }

  patch<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, type: PatchType, patch: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.#json('PATCH', resourcePath(ref, opts.namespace, name, opts.subresource) + writeQuery(opts), patch, PATCH_CONTENT_TYPES[type]);
  }

  delete(ref: ResourceRef, name: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: opts.gracePeriodSeconds, propagationPolicy: opts.propagationPolicy, preconditions: opts.preconditions };
    return this.#json('DELETE', resourcePath(ref, opts.namespace, name) + writeQuery(opts), body);
  }

  deleteCollection(ref: ResourceRef, opts: ListOptions & DeleteOptions = {}): Promise<KubeList> {
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: opts.gracePeriodSeconds, propagationPolicy: opts.propagationPolicy };
    return this.#json('DELETE', resourcePath(ref, opts.namespace) + listQuery(opts), body);
  }
}

function listQuery(o: ListOptions): string {
  const p = new URLSearchParams();
  if (o.labelSelector) p.set('labelSelector', o.labelSelector);
  if (o.fieldSelector) p.set('fieldSelector', o.fieldSelector);
  if (o.limit) p.set('limit', String(o.limit));
  if (o.continue) p.set('continue', o.continue);
  if (o.resourceVersion) p.set('resourceVersion', o.resourceVersion);
  if (o.resourceVersionMatch) p.set('resourceVersionMatch', o.resourceVersionMatch);
  const s = p.toString();
  return s ? `?${s}` : '';
}

function writeQuery(o: RequestOptions): string {
  const p = new URLSearchParams();
  if (o.dryRun) p.set('dryRun', 'All');
  if (o.fieldManager) p.set('fieldManager', o.fieldManager);
  if (o.fieldValidation) p.set('fieldValidation', o.fieldValidation);
  if (o.force !== undefined) p.set('force', String(o.force));
  const s = p.toString();
  return s ? `?${s}` : '';
}

function toStatusError(code: number, text: string): StatusError {
  try {
    const s = JSON.parse(text) as Status;
    if (s.kind === 'Status') return new StatusError(s.code ?? code, s.reason ?? '', s.message ?? text, s.details);
  } catch {
    // not a Status body: fall through
  }
  return new StatusError(code, code === 404 ? 'NotFound' : 'InternalError', text || `HTTP ${code}`);
}
