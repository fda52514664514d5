// SPDX-License-Identifier: Apache-2.0
/**
 * Aggregator is kube-aggregator inside this server: it keeps APIServices
 * (Local ones registered for what the server serves, remote ones proxied to
 * their Service), their Available conditions, the front-proxy trust
 * published for extension servers, and the discovery and OpenAPI v3 entries
 * of aggregated group/versions. The API server asks it first for every
 * request under /apis/<group>[/<version>] and /openapi/v3/apis/...; what it
 * does not own goes to the local handlers, as upstream's local delegate.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import { InformerFactory, R, type Client, type SharedInformer } from '../../client/index.js';
import type { PemPair } from '../../pki/index.js';
import { AutoRegisterController, type LocalGroupVersion } from './autoregister.js';
import { APISERVICES, AvailableConditionController, type Discovered } from './available-controller.js';
import { mergeAggregated, mergedGroup, mergeGroupList, type RemoteGroupVersion } from './discovery-merge.js';
import { AUTHENTICATION_CONFIGMAP, publishAuthentication, type UserWithExtra } from './front-proxy.js';
import { isNotFound } from '../../machinery/index.js';
import { ProxyHandler } from './proxy-handler.js';
import { OpenAPIV2Controller } from './openapi-v2-controller.js';
import type { SwaggerDocument } from '../openapi/index.js';
import { apiServiceName, isLocal, type APIService } from './types.js';

export interface AggregatorOptions {
  /** client is the server's own in-process client. */
  client: Client;
  /** clientCA is the cluster CA (published as client-ca-file). */
  clientCA: string;
  /** frontProxyCA signs proxyClient (published as requestheader-client-ca-file). */
  frontProxyCA: string;
  proxyClient: PemPair;
  /** local lists the group/versions this server serves itself. */
  local(): LocalGroupVersion[];
  /** recheckMs: how often remote APIServices are checked again (default 30 s). */
  recheckMs?: number;
  log?: (msg: string) => void;
}

export class Aggregator {
  readonly #o: AggregatorOptions;
  readonly #factory: InformerFactory;
  readonly #apiServices: SharedInformer<APIService>;
  readonly #services: SharedInformer;
  readonly #endpoints: SharedInformer;
  readonly #available: AvailableConditionController;
  readonly #autoregister: AutoRegisterController;
  readonly #openAPIV2: OpenAPIV2Controller;
  readonly #proxy: ProxyHandler;
  /** Remote APIServices by `group/version`, from the informer. */
  readonly #remote = new Map<string, APIService>();
  readonly #discovered = new Map<string, Discovered>();
  readonly #listeners = new Set<() => void>();
  #abort = new AbortController();

  constructor(o: AggregatorOptions) {
    this.#o = o;
    this.#factory = new InformerFactory(o.client, { log: o.log });
    this.#apiServices = this.#factory.informer<APIService>(APISERVICES);
    this.#services = this.#factory.informer(R.services);
    this.#endpoints = this.#factory.informer(R.endpoints);
    const services = (k: string) => this.#services.get(k) as Service | undefined;
    const endpoints = (k: string) => this.#endpoints.get(k) as Endpoints | undefined;
    this.#proxy = new ProxyHandler({ proxyClient: o.proxyClient, services, endpoints, log: o.log });
    this.#available = new AvailableConditionController({
      client: o.client, apiServices: this.#apiServices, services: this.#services, endpoints: this.#endpoints,
      proxyClient: o.proxyClient, recheckMs: o.recheckMs, log: o.log,
      discovered: (name, d) => this.#setDiscovered(name, d),
    });
    this.#autoregister = new AutoRegisterController({ client: o.client, apiServices: this.#apiServices, local: o.local, log: o.log });
    this.#openAPIV2 = new OpenAPIV2Controller({
      apiServices: this.#apiServices, services: this.#services, endpoints: this.#endpoints, proxyClient: o.proxyClient, log: o.log,
      changed: () => this.#changed(),
    });
    this.#apiServices.addEventHandler({ onAdd: () => this.#reindex(), onUpdate: () => this.#reindex(), onDelete: () => this.#reindex() });
  }

  /** start runs the informers and controllers, and publishes the front-proxy trust once kube-system exists. */
  async start(): Promise<void> {
    const signal = this.#abort.signal;
    this.#factory.start(signal);
    await this.#factory.waitForSync(signal);
    void this.#available.run(signal, 2);
    void this.#autoregister.run(signal, 1);
    void this.#openAPIV2.run(signal, 1);
    this.#autoregister.resync();
    void this.#publishTrust(signal);
  }

  stop(): void {
    this.#abort.abort();
  }

  /** localChanged re-registers Local APIServices after the served group/versions changed. */
  localChanged(): void {
    this.#autoregister.resync();
  }

  /** onChange subscribes to changes of what discovery and OpenAPI should show. */
  onChange(listener: () => void): void {
    this.#listeners.add(listener);
  }

  /** remote returns the remote APIService serving a group/version, if any. */
  remote(group: string, version: string): APIService | undefined {
    return this.#remote.get(`${group}/${version}`);
  }

  /**
   * serve answers requests the aggregator owns (true), or returns false for the
   * local handlers. `path` has no trailing slash; authorization already happened.
   */
  async serve(req: IncomingMessage, res: ServerResponse, path: string, user: UserWithExtra): Promise<boolean> {
    const target = this.#ownerOf(path);
    if (!target) return false;
    if (target === 'group') {
      const group = path.split('/')[2];
      const doc = mergedGroup(group, this.#localVersions(group), this.#remotes(), this.#versionPriority);
      const body = JSON.stringify(doc);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-cache, private' });
      res.end(body);
      return true;
    }
    await this.#proxy.serve(target, req, res, user);
    return true;
  }

  /** serveUpgrade relays upgrades under a remote group/version (true), or returns false. */
  async serveUpgrade(req: IncomingMessage, socket: Socket, head: Buffer, user: UserWithExtra): Promise<boolean> {
    const path = new URL(req.url ?? '/', 'https://localhost').pathname.replace(/\/+$/, '');
    const target = this.#ownerOf(path);
    if (!target || target === 'group') return false;
    await this.#proxy.serveUpgrade(target, req, socket, head, user);
    return true;
  }

  /** groupList merges remote group/versions into a legacy /apis document. */
  groupList<T extends object>(doc: T): T {
    return mergeGroupList(doc as unknown as Parameters<typeof mergeGroupList>[0], this.#remotes(), this.#versionPriority) as unknown as T;
  }

  /** aggregated merges remote group/versions into an aggregated discovery v2 /apis document. */
  aggregated<T extends object>(doc: T): T {
    return mergeAggregated(doc as unknown as Parameters<typeof mergeAggregated>[0], this.#remotes(), this.#versionPriority) as unknown as T;
  }

  /** openAPIV3Paths are the /openapi/v3 index entries of remote group/versions whose server publishes one. */
  openAPIV3Paths(): Record<string, { serverRelativeURL: string }> {
    const out: Record<string, { serverRelativeURL: string }> = {};
    for (const r of this.#remotes()) {
      const url = r.discovered?.openAPIV3;
      if (url) out[`apis/${r.service.spec?.group}/${r.service.spec?.version}`] = { serverRelativeURL: url };
    }
    return out;
  }

  /**
   * openAPIV2Documents are the aggregated servers' swagger documents in the
   * order upstream merges them: by their group's priority (the highest
   * groupPriorityMinimum among its APIServices), highest first, then by
   * APIService name.
   */
  openAPIV2Documents(): SwaggerDocument[] {
    const docs = this.#openAPIV2.documents();
    const groupPriority = new Map<string, number>();
    for (const s of this.#remote.values()) {
      const g = s.spec?.group ?? '';
      groupPriority.set(g, Math.max(groupPriority.get(g) ?? 0, s.spec?.groupPriorityMinimum ?? 0));
    }
    const priority = (name: string): number => groupPriority.get(this.#apiServices.get(name)?.spec?.group ?? '') ?? 0;
    return [...docs.keys()].sort((a, b) => priority(b) - priority(a) || (a < b ? -1 : a > b ? 1 : 0)).map((name) => docs.get(name)!);
  }

  /** ownerOf says which remote APIService a path belongs to, 'group' for a group document with remote versions. */
  #ownerOf(path: string): APIService | 'group' | undefined {
    // Every request asks; with no remote APIService (the usual case) nothing is owned.
    if (this.#remote.size === 0) return undefined;
    const parts = path.split('/').filter(Boolean);
    const v3 = parts[0] === 'openapi' && parts[1] === 'v3';
    const rest = v3 ? parts.slice(2) : parts;
    if (rest[0] !== 'apis' || rest.length < 2) return undefined;
    if (rest.length === 2) return !v3 && this.#remotes().some((r) => r.service.spec?.group === rest[1]) ? 'group' : undefined;
    if (v3 && rest.length !== 3) return undefined;
    return this.remote(rest[1], rest[2]);
  }

  #localVersions(group: string): string[] {
    return this.#o.local().filter((gv) => gv.group === group).map((gv) => gv.version);
  }

  readonly #versionPriority = (group: string, version: string): number => this.#apiServices.get(apiServiceName(group, version))?.spec?.versionPriority ?? 0;

  #remotes(): RemoteGroupVersion[] {
    return [...this.#remote.values()].map((service) => ({ service, discovered: this.#discovered.get(service.metadata.name!) }));
  }

  #reindex(): void {
    this.#remote.clear();
    for (const s of this.#apiServices.list()) if (!isLocal(s)) this.#remote.set(`${s.spec?.group ?? ''}/${s.spec?.version ?? ''}`, s);
    this.#changed();
  }

  #setDiscovered(name: string, d: Discovered | undefined): void {
    const before = JSON.stringify(this.#discovered.get(name));
    // A failed check keeps the last document (served as Stale) until the APIService goes.
    if (d) this.#discovered.set(name, d);
    else if (!this.#apiServices.get(name) || isLocal(this.#apiServices.get(name)!)) this.#discovered.delete(name);
    if (JSON.stringify(this.#discovered.get(name)) !== before) this.#changed();
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }

  async #publishTrust(signal: AbortSignal): Promise<void> {
    let last = '';
    while (!signal.aborted) {
      try {
        await publishAuthentication(this.#o.client, this.#o.clientCA, this.#o.frontProxyCA);
        return;
      } catch (err) {
        // kube-system is created by the server's bootstrap after the API listens: try again shortly.
        const msg = (err as Error).message;
        if (msg !== last && !isNotFound(err)) this.#o.log?.(`aggregator: publishing ${AUTHENTICATION_CONFIGMAP.namespace}/${AUTHENTICATION_CONFIGMAP.name}: ${msg}`);
        last = msg;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}
