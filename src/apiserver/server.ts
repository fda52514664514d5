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
import { apiServerHealthChecks, serveHealth, type HealthEndpoints } from './health-checks.js';
import { newUnauthorized } from '../machinery/index.js';
import { allowAuthenticated, type Authorizer } from './authz.js';
import type { APIExtension } from './extensions.js';
import { ANONYMOUS, authenticate, type TokenAuthenticator } from './authn.js';
import type { ClusterPKI } from './certs.js';
import { DiscoveryEndpoint } from './http/discovery-endpoint.js';
import { ResourceHandler, type PodConnector, type ProxyConnector } from './http/resource-handler.js';
import { writeError, writeJson } from './http/response.js';
import { handleUpgrade } from './http/upgrade.js';
import { RequestMetrics } from './http/request-metrics.js';
import { routeRequest, type RouterDeps } from './http/request-router.js';
import { parseRequestTarget } from './http/request-target.js';
import { APIRegistry } from './registry/api-registry.js';
import { registerDefaultAdmission } from './admission/index.js';
import { builtinDefinitions, DefinitionRegistry } from './definitions/index.js';
import { CRDController, customResourceDefinitionKind } from './apiextensions/index.js';
import { Aggregator, localGroupVersions } from './aggregator/index.js';
import { SYSTEM_USER, type UserInfo } from './registry/request-context.js';
import { InProcessClient } from './in-process-client.js';
import { OpenAPIDocuments } from './openapi/index.js';
import { answerClientError, httpsServerOptions } from './http/connection.js';
import { versionInfo } from './http/version-endpoint.js';

export { KEEP_ALIVE } from './http/connection.js';

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
  /** discovery serves /api and /apis documents, serialized once each. */
  readonly #discovery: DiscoveryEndpoint;
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
  /** router authorizes and serves authenticated requests; it reads the current authorizer per request. */
  readonly #router: RouterDeps;

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
      extraV2Documents: () => this.#aggregator.openAPIV2Documents(),
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
    this.#discovery = new DiscoveryEndpoint(this.#extensions, defs, opts.port, this.#aggregator);
    this.#resources = new ResourceHandler({ registry: this.registry, log: opts.log, maxWatchesPerUser: opts.maxWatchesPerUser });
    this.#authorizer = opts.authorizer ?? allowAuthenticated;
    const authorizer = (): Authorizer => this.#authorizer;
    this.#router = {
      get authorizer() { return authorizer(); },
      metrics: this.#metrics, aggregator: this.#aggregator, discovery: this.#discovery, openapi: this.#openapi,
      definitions: defs, extensions: this.#extensions, resources: this.#resources, log: opts.log,
    };
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
    const server = createServer(httpsServerOptions(this.#opts.pki));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.#handle(req, res).catch((err) => writeError(res, err, this.#opts.log));
    });
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket));
    server.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      handleUpgrade(
        { tokens: this.#opts.tokens, impersonator: this.#impersonator, authorizer: this.#authorizer, resources: this.#resources, upgradeHandler: this.upgradeHandler, aggregator: this.#aggregator },
        req,
        socket,
        head,
      ).catch(() => socket.destroy());
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
    this.registry.stop();
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

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseRequestTarget(req.url ?? '/');
    const path = (url.pathname.endsWith('/') ? url.pathname.replace(/\/+$/, '') : url.pathname) || '/';
    const second = path.indexOf('/', 1);
    const prefix = second < 0 ? path : path.slice(0, second);
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
    return routeRequest(this.#router, req, res, url, path, actor);
  }

  async #servePublic(req: IncomingMessage, res: ServerResponse, path: string, verbose: boolean): Promise<void> {
    if (path === '/version') return writeJson(res, 200, versionInfo());
    await serveHealth(res, path, verbose, this.#healthChecks, this.#opts.log);
  }

  /** healthChecks are upstream's: `ping`, `etcd` (a quorum read of the store), and readiness waiting for bootstrap. */
  readonly #healthChecks: HealthEndpoints = apiServerHealthChecks(() => this.#opts.store.checkHealth(), () => this.#ready);

}
