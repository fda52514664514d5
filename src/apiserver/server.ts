// SPDX-License-Identifier: Apache-2.0
/**
 * APIServer is the HTTPS front of the control plane: health and version
 * endpoints, discovery, OpenAPI, and resource URLs handed to the
 * ResourceHandler. The request lifecycle is fixed: authenticate → route →
 * handler (admission, validation and storage happen in the registry).
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Store } from '../storage/index.js';
import { serveHealth, type HealthEndpoints } from './health-checks.js';
import { StatusError, newUnauthorized } from '../machinery/index.js';
import { allowAuthenticated, forbiddenMessage, type AuthorizationAttributes, type Authorizer } from './authz.js';
import type { APIExtension } from './extensions.js';
import { ANONYMOUS, authenticate, type TokenAuthenticator } from './authn.js';
import type { ClusterPKI } from './certs.js';
import {
  AGGREGATED_DISCOVERY_V2,
  aggregatedDiscovery,
  apiGroupDoc,
  apiGroupList,
  apiResourceList,
  apiVersions,
  wantsAggregatedDiscovery,
} from './discovery.js';
import { parseResourcePath } from './http/request-info.js';
import { ResourceHandler, type PodConnector, type ProxyConnector } from './http/resource-handler.js';
import { writeError, writeJson, writeJsonText, writeUpgradeError } from './http/response.js';
import { PROMETHEUS_TEXT, RequestMetrics } from './http/request-metrics.js';
import { APIRegistry } from './registry/api-registry.js';
import { registerDefaultAdmission } from './admission/index.js';
import { builtinDefinitions, DefinitionRegistry } from './definitions/index.js';
import { CRDController, customResourceDefinitionKind } from './apiextensions/index.js';
import { Aggregator, localGroupVersions } from './aggregator/index.js';
import { SYSTEM_USER, type UserInfo } from './registry/request-context.js';
import { InProcessClient } from './in-process-client.js';
import { OPENAPI_V2_PROTOBUF_ACCEPT, OpenAPIDocuments } from './openapi/index.js';
import { SKIFF_VERSION, KUBERNETES_VERSION } from '../version.js';

export interface APIServerOptions {
  store: Store;
  pki: ClusterPKI;
  host: string;
  port: number;
  tokens: TokenAuthenticator[];
  serviceCIDR: string;
  nodePortRange: { min: number; max: number };
  /** Address clients inside the cluster use to reach the API (Endpoints of the `kubernetes` Service). */
  advertiseAddress: string;
  /** authorizer decides every request after authentication (default: any authenticated user may do anything). */
  authorizer?: Authorizer;
  /** maxWatchesPerUser bounds the concurrent watches of one user; more answer 429 (default 1000). */
  maxWatchesPerUser?: number;
  log?: (msg: string) => void;
}

/**
 * answerClientError answers a request Node's HTTP parser refused (unknown
 * method, malformed request line or headers, headers too large) with a
 * Status, so even those clients get the error shape every other answer has;
 * Go's server answers these 400 (431 for large headers) before any handler.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
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

/** Paths anyone may read, as upstream's system:public-info-viewer role allows. */
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);

export class APIServer {
  readonly registry: APIRegistry;
  readonly #opts: APIServerOptions;
  readonly #resources: ResourceHandler;
  readonly #sockets = new Set<Socket>();
  /** metrics count every answered request for `/metrics`. */
  readonly #metrics = new RequestMetrics();
  #server?: Server;
  #ready = false;
  readonly #extensions: APIExtension[] = [];
  /**
   * Discovery documents serialized once: they change only when an extension
   * is added, and kubectl fetches them on most invocations.
   */
  readonly #discovery = new Map<string, string | undefined>();
  /** OpenAPI documents of what this server serves, rebuilt after a definition comes or goes. */
  readonly #openapi: OpenAPIDocuments;
  /** crds serves custom resources for every accepted CustomResourceDefinition. */
  readonly #crds: CRDController;
  /** aggregator owns APIServices: remote group/versions are proxied, discovery and OpenAPI v3 merge them in. */
  readonly #aggregator: Aggregator;
  #authorizer: Authorizer;
  /** publicFiles serve non-API paths to anyone (the dashboard's static files at /ui/). */
  readonly #publicFiles = new Map<string, (req: IncomingMessage, res: ServerResponse, rest: string) => void>();
  #impersonator?: (req: IncomingMessage, user: UserInfo, authorizer: Authorizer) => Promise<UserInfo>;

  constructor(opts: APIServerOptions) {
    this.#opts = opts;
    const definitions = new DefinitionRegistry([...builtinDefinitions(), customResourceDefinitionKind()]);
    this.registry = new APIRegistry({ store: opts.store, serviceCIDR: opts.serviceCIDR, nodePortRange: opts.nodePortRange, definitions });
    this.#crds = new CRDController(this.registry, opts.log);
    registerDefaultAdmission(this.registry);
    const defs = this.registry.definitions;
    this.#openapi = new OpenAPIDocuments({
      servedGroups: () => defs.servedGroups(),
      resources: () => defs.resources(),
      schemaOf: (r) => defs.lookup(r.group, r.version, r.plural)?.openAPI,
      extraV3Paths: () => this.#aggregator.openAPIV3Paths(),
    });
    const { pki } = opts;
    this.#aggregator = new Aggregator({ client: this.inProcessClient(), clientCA: pki.ca.cert, frontProxyCA: pki.frontProxyCA.cert, proxyClient: pki.frontProxyClient, local: () => localGroupVersions(defs, this.#extensions), log: opts.log });
    const invalidate = (): void => {
      this.#discovery.clear();
      this.#openapi.invalidate();
    };
    this.#aggregator.onChange(invalidate);
    // Custom resources come and go at run time: discovery, OpenAPI and Local APIServices follow at once.
    defs.onChange(() => {
      invalidate();
      this.#aggregator.localChanged();
    });
    this.#resources = new ResourceHandler({ registry: this.registry, log: opts.log, maxWatchesPerUser: opts.maxWatchesPerUser });
    this.#authorizer = opts.authorizer ?? allowAuthenticated;
  }

  /** addExtension serves an API group implemented by code (metrics, reviews) and lists it in discovery. */
  addExtension(e: APIExtension): void {
    this.#extensions.push(e);
    this.#discovery.clear();
    this.#aggregator.localChanged();
  }

  /**
   * setImpersonator installs the Impersonate-User/-Group handling: given the
   * authenticated user it returns the identity to act as (or throws a 403).
   */
  setImpersonator(f: (req: IncomingMessage, user: UserInfo, authorizer: Authorizer) => Promise<UserInfo>): void {
    this.#impersonator = f;
  }

  /**
   * servePublicFiles answers GET under prefix (`/ui`) without authentication:
   * files that hold no cluster data, as the dashboard's bundle. `/ui` redirects to `/ui/`.
   */
  servePublicFiles(prefix: string, serve: (req: IncomingMessage, res: ServerResponse, rest: string) => void): void {
    this.#publicFiles.set(prefix, serve);
  }

  /**
   * inProcessClient is the client of a component running in this process:
   * its calls are authorized as `user` by the current authorizer, then served
   * by the same registry and subresource code as HTTP requests.
   */
  inProcessClient(user: UserInfo = SYSTEM_USER): InProcessClient {
    return new InProcessClient(this.registry, user, () => this.#authorizer);
  }

  /** setAuthorizer replaces the authorizer (RBAC once its informers are ready). */
  setAuthorizer(a: Authorizer): void {
    this.#authorizer = a;
  }

  /** tokenAuthenticators can be extended (service account tokens) after construction. */
  addTokenAuthenticator(t: TokenAuthenticator): void {
    this.#opts.tokens.push(t);
  }

  /** setPodConnector plugs in the kubelet-facing streaming (logs, exec, port-forward). */
  setPodConnector(c: PodConnector): void {
    this.#resources.podConnector = c;
  }

  /** setProxyConnector plugs in services/proxy, pods/proxy and nodes/proxy. */
  setProxyConnector(c: ProxyConnector): void {
    this.#resources.proxyConnector = c;
  }

  /** url is the https URL clients use. */
  get url(): string {
    const addr = this.#server?.address();
    const port = addr && typeof addr === 'object' ? addr.port : this.#opts.port;
    const host = this.#opts.host === '0.0.0.0' || this.#opts.host === '::' ? '127.0.0.1' : this.#opts.host;
    return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  async listen(): Promise<void> {
    await this.registry.start();
    // Stored CRDs are served before the first request, so custom resources survive a restart.
    await this.#crds.start();
    await this.#aggregator.start();
    const server = createServer({
      key: this.#opts.pki.serving.key,
      // The chain ends with the CA, so a joining agent can pin it by hash before trusting it (kubeadm's discovery).
      cert: `${this.#opts.pki.serving.cert.trimEnd()}\n${this.#opts.pki.ca.cert}`,
      ca: this.#opts.pki.ca.cert,
      requestCert: true,
      rejectUnauthorized: false,
      ...KEEP_ALIVE,
      // kube-apiserver's default --request-timeout (60 s) bounds sending a
      // whole request too: a client trickling a body cannot hold a
      // connection longer. Watches are not affected: their request ends
      // before the stream starts.
      requestTimeout: 60_000,
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.#handle(req, res).catch((err) => writeError(res, err, this.#opts.log));
    });
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket));
    server.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      this.#handleUpgrade(req, socket, head).catch(() => socket.destroy());
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#opts.port, this.#opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  /** markReady makes /readyz answer ok (after bootstrap objects exist). */
  markReady(): void {
    this.#ready = true;
  }

  async close(): Promise<void> {
    this.#ready = false;
    this.#crds.stop();
    this.#aggregator.stop();
    const server = this.#server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Idle keep-alive connections are closed cleanly (FIN, as Go's Shutdown does) ...
      server.closeIdleConnections();
      // ... while watches are long-lived: end them so close() does not wait for their timeouts.
      for (const s of this.#sockets) s.destroy();
    });
  }

  /** upgradeHandler is set by the component that serves exec/attach/port-forward over WebSocket. */
  upgradeHandler?: (req: IncomingMessage, socket: Socket, head: Buffer, user: UserInfo) => Promise<boolean>;

  async #handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    let user = await authenticate(req, this.#opts.tokens);
    if (user && user !== ANONYMOUS && this.#impersonator) {
      try {
        user = await this.#impersonator(req, user, this.#authorizer);
      } catch {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
    }
    if (user && user !== ANONYMOUS) {
      const url = new URL(req.url ?? '/', 'https://localhost');
      // A GET upgrade with watch=true is a watch served over WebSocket (browsers), authorized as a watch.
      const watch = parseResourcePath('GET', url.pathname, url.searchParams);
      if (watch?.verb === 'watch' && !watch.subresource) {
        const attrs: AuthorizationAttributes = { user, verb: 'watch', resourceRequest: true, group: watch.group, version: watch.version, resource: watch.resource, namespace: watch.namespace, name: watch.name };
        const decision = await this.#authorizer.authorize(attrs);
        if (!decision.allowed) {
          return writeUpgradeError(socket, new StatusError(403, 'Forbidden', forbiddenMessage(attrs) + (decision.reason ? `: ${decision.reason}` : ''), { name: watch.name, group: watch.group, kind: watch.resource }));
        }
        if (await this.#aggregator.serveUpgrade(req, socket, head, user)) return;
        return this.#resources.watchWebSocket(req, socket, head, watch, url.searchParams, user);
      }
      const info = parseResourcePath('POST', url.pathname, url.searchParams);
      // A WebSocket exec/attach/portforward needs `create` on the subresource, as upstream checks for upgrades.
      const attrs: AuthorizationAttributes = info
        ? { user, verb: 'create', resourceRequest: true, group: info.group, version: info.version, resource: info.resource, subresource: info.subresource, namespace: info.namespace, name: info.name }
        : { user, verb: 'get', resourceRequest: false, path: url.pathname };
      if (!(await this.#authorizer.authorize(attrs)).allowed) {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      if (await this.#aggregator.serveUpgrade(req, socket, head, user)) return;
    }
    if (!user || user === ANONYMOUS || !this.upgradeHandler || !(await this.upgradeHandler(req, socket, head, user))) {
      const code = !user || user === ANONYMOUS ? '401 Unauthorized' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${code}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const prefix = '/' + (path.split('/')[1] ?? '');
    const files = this.#publicFiles.get(prefix);
    if (files) {
      if (url.pathname === prefix) {
        res.writeHead(301, { Location: `${prefix}/` });
        return void res.end();
      }
      return files(req, res, url.pathname.slice(prefix.length));
    }
    const user = await authenticate(req, this.#opts.tokens);
    if (!user) {
      // Upstream logs "Unable to authenticate the request" with the union authenticator's error; the
      // authenticator that recognised the token has already logged its own reason (expired, unknown...).
      this.#opts.log?.(`authentication: ${req.method} ${path} from ${req.socket.remoteAddress}: Unable to authenticate the request: invalid bearer token`);
      return writeError(res, newUnauthorized());
    }
    if (PUBLIC_PATHS.has(path) || path.startsWith('/readyz/') || path.startsWith('/livez/') || path.startsWith('/healthz/')) {
      return this.#servePublic(req, res, path, url.searchParams.has('verbose'));
    }
    if (user === ANONYMOUS) return writeError(res, newUnauthorized());
    let actor: UserInfo;
    try {
      actor = this.#impersonator ? await this.#impersonator(req, user, this.#authorizer) : user;
    } catch (err) {
      return writeError(res, err, this.#opts.log);
    }
    return this.#handleAs(req, res, url, path, actor);
  }

  async #handleAs(req: IncomingMessage, res: ServerResponse, url: URL, path: string, user: UserInfo): Promise<void> {
    const info = parseResourcePath(req.method ?? 'GET', path, url.searchParams);
    this.#metrics.observe(req, res, info);
    const attrs: AuthorizationAttributes = info
      ? { user, verb: info.verb, resourceRequest: true, group: info.group, version: info.version, resource: info.resource, subresource: info.subresource, namespace: info.namespace, name: info.name }
      : { user, verb: (req.method ?? 'GET').toLowerCase(), resourceRequest: false, path };
    const decision = await this.#authorizer.authorize(attrs);
    if (!decision.allowed) {
      const msg = forbiddenMessage(attrs) + (decision.reason ? `: ${decision.reason}` : '');
      return writeError(res, new StatusError(403, 'Forbidden', msg, info ? { name: info.name, group: info.group, kind: info.resource } : undefined));
    }
    // Remote APIServices' group/versions go to their servers, as kube-aggregator sits in front of the local handlers.
    if (await this.#aggregator.serve(req, res, path, user)) return;
    if (path === '/api' || path === '/apis') return this.#serveDiscoveryRoot(req, res, path);
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      const text = this.#metrics.render();
      res.writeHead(200, { 'Content-Type': PROMETHEUS_TEXT, 'Content-Length': Buffer.byteLength(text) });
      return void res.end(req.method === 'HEAD' ? undefined : text);
    }
    if (path.startsWith('/openapi/')) return this.#serveOpenAPI(req, res, path, url);
    const parts = path.split('/').filter(Boolean);
    if (parts[0] === 'api' && parts.length === 2) return this.#maybe(res, path, () => apiResourceList('', parts[1], this.#extensions, this.registry.definitions));
    if (parts[0] === 'apis' && parts.length === 2) return this.#maybe(res, path, () => apiGroupDoc(parts[1], this.#extensions, this.registry.definitions));
    if (parts[0] === 'apis' && parts.length === 3) return this.#maybe(res, path, () => apiResourceList(parts[1], parts[2], this.#extensions, this.registry.definitions));
    if (!info) return writeError(res, new StatusError(404, 'NotFound', 'the server could not find the requested resource'));
    const ext = this.#extensions.find((e) => e.group === info.group && e.version === info.version && e.resources.some((r) => r.name === info.resource));
    if (ext) {
      try {
        return await ext.handle(req, res, info, url.searchParams, user);
      } catch (err) {
        return writeError(res, err, this.#opts.log);
      }
    }
    await this.#resources.handle(req, res, info, url.searchParams, user);
  }

  async #servePublic(req: IncomingMessage, res: ServerResponse, path: string, verbose: boolean): Promise<void> {
    if (path === '/version') {
      return writeJson(res, 200, {
        major: KUBERNETES_VERSION.major,
        minor: KUBERNETES_VERSION.minor,
        gitVersion: `v${KUBERNETES_VERSION.major}.${KUBERNETES_VERSION.minor}.${KUBERNETES_VERSION.patch}+skiff-${SKIFF_VERSION}`,
        gitCommit: 'skiff',
        gitTreeState: 'clean',
        buildDate: '2026-11-22T00:00:00Z',
        goVersion: `node${process.versions.node}`,
        compiler: 'tsc',
        platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
      });
    }
    await serveHealth(res, path, verbose, this.#healthChecks, this.#opts.log);
  }

  /** Upstream's check names: `ping` always passes, `etcd` reads the store with a quorum, and readiness waits for bootstrap. */
  readonly #healthChecks: HealthEndpoints = {
    live: [{ name: 'ping', check: () => undefined }],
    ready: [
      { name: 'ping', check: () => undefined },
      { name: 'etcd', check: () => this.#opts.store.checkHealth() },
      {
        name: 'skiff-bootstrap',
        check: () => {
          if (!this.#ready) throw new Error('bootstrap objects are not created yet');
        },
      },
    ],
  };

  #serveDiscoveryRoot(req: IncomingMessage, res: ServerResponse, path: string): void {
    const legacy = path === '/api';
    if (wantsAggregatedDiscovery(req.headers.accept)) {
      const text = this.#cachedDiscovery(`aggregated ${path}`, () => {
        const doc = aggregatedDiscovery(legacy, this.#extensions, this.registry.definitions);
        return legacy ? doc : this.#aggregator.aggregated(doc);
      })!;
      return writeJsonText(res, 200, text, [], AGGREGATED_DISCOVERY_V2);
    }
    const host = req.headers.host ?? `127.0.0.1:${this.#opts.port}`;
    // /api names the address the client used, so its cached form is per Host.
    const text = legacy ? this.#cachedDiscovery(`/api ${host}`, () => apiVersions(host))! : this.#cachedDiscovery('/apis', () => this.#aggregator.groupList(apiGroupList(this.#extensions, this.registry.definitions)))!;
    writeJsonText(res, 200, text);
  }

  /** cachedDiscovery serializes a discovery document once per key (undefined: no such document). */
  #cachedDiscovery(key: string, build: () => object | undefined): string | undefined {
    if (this.#discovery.has(key)) return this.#discovery.get(key);
    const doc = build();
    const text = doc === undefined ? undefined : JSON.stringify(doc);
    // Bounded: Host headers are client-chosen.
    if (this.#discovery.size < 256) this.#discovery.set(key, text);
    return text;
  }

  #serveOpenAPI(req: IncomingMessage, res: ServerResponse, path: string, url: URL): void {
    let doc: { body: Buffer; etag: string; hash?: string } | undefined;
    let contentType = 'application/json';
    const v3 = path.startsWith('/openapi/v3/');
    if (path === '/openapi/v2') {
      // JSON or gnostic protobuf (what kubectl's client-side validation downloads), by Accept as upstream.
      const v2 = this.#openapi.v2For(req.headers.accept);
      if (!v2) return writeError(res, new StatusError(406, 'NotAcceptable', `only application/json and ${OPENAPI_V2_PROTOBUF_ACCEPT} are served for /openapi/v2`));
      ({ rendered: doc, contentType } = v2);
    } else if (path === '/openapi/v3') {
      doc = this.#openapi.v3IndexJson();
    } else if (v3) {
      doc = this.#openapi.v3Json(path.slice('/openapi/v3/'.length));
      const asked = url.searchParams.get('hash');
      // A stale hash is redirected to the current document, as upstream does, so caches stay correct.
      if (doc && asked && doc.hash && asked !== doc.hash) {
        res.writeHead(301, { Location: `${path}?hash=${doc.hash}` });
        return void res.end();
      }
    }
    if (!doc) return writeError(res, new StatusError(404, 'NotFound', 'the server could not find the requested resource'));
    if (req.headers['if-none-match'] === doc.etag) {
      res.writeHead(304, { ETag: doc.etag });
      return void res.end();
    }
    const immutable = v3 && url.searchParams.has('hash');
    res.writeHead(200, {
      'Content-Type': contentType,
      'Content-Length': doc.body.length,
      ETag: doc.etag,
      Vary: 'Accept',
      // Hashed v3 URLs never change content, so clients may cache them for long (as upstream).
      'Cache-Control': immutable ? 'public, immutable' : 'no-cache, private',
      ...(immutable ? { Expires: new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString() } : {}),
    });
    res.end(doc.body);
  }

  #maybe(res: ServerResponse, path: string, build: () => object | undefined): void {
    const text = this.#cachedDiscovery(path, build);
    if (text === undefined) return writeError(res, new StatusError(404, 'NotFound', 'the server could not find the requested resource'));
    writeJsonText(res, 200, text);
  }
}
