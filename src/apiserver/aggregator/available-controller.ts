// SPDX-License-Identifier: Apache-2.0
/**
 * The Available condition of every APIService, as kube-aggregator's local
 * and remote availability controllers set it: a local APIService is always
 * available; a remote one needs its Service (with the APIService's port),
 * endpoints with an address on that port's name, and a 2xx answer to
 * `GET /apis/<group>/<version>` sent as system:kube-aggregator in
 * system:masters. Reasons and messages are upstream's. A level-triggered
 * reconciler over APIService names, fed by APIService, Service and
 * Endpoints events and rechecking remote ones periodically (upstream's
 * resync), it also hands the discovery document it fetched to the aggregator.
 */
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import { Reconciler, type Client, type SharedInformer } from '../../client/index.js';
import { isNotFound, rfc3339 } from '../../machinery/index.js';
import type { PemPair } from '../../pki/index.js';
import { getRemote, remoteURL, tlsOptionsFor } from './remote-transport.js';
import { resolveEndpoint, serviceRefOf } from './service-resolver.js';
import { APIREGISTRATION_GROUP, availableCondition, type APIService, type APIServiceCondition } from './types.js';

/** APISERVICES is the apiregistration.k8s.io/v1 apiservices resource. */
export const APISERVICES = { group: APIREGISTRATION_GROUP, version: 'v1', resource: 'apiservices' };

/** Discovered is what a passed discovery check learned about an extension server. */
export interface Discovered {
  /** resourceList is the server's APIResourceList for the group/version. */
  resourceList: { resources?: ResourceListEntry[] };
  /** openAPIV3 is the server-relative URL its /openapi/v3 index gives for the group/version. */
  openAPIV3?: string;
}

/** ResourceListEntry is one APIResource of a legacy discovery document. */
export interface ResourceListEntry {
  name: string;
  singularName?: string;
  namespaced?: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
}

export interface AvailableConditionOptions {
  client: Client;
  apiServices: SharedInformer<APIService>;
  services: SharedInformer;
  endpoints: SharedInformer;
  /** proxyClient is the front-proxy client certificate. */
  proxyClient: PemPair;
  /** discovered receives what a check learned (undefined: nothing current). */
  discovered(name: string, d: Discovered | undefined): void;
  /** recheckMs is how often remote APIServices are checked again (upstream's 30 s resync). */
  recheckMs?: number;
  log?: (msg: string) => void;
}

type Verdict = Pick<APIServiceCondition, 'status' | 'reason' | 'message'>;

const LOCAL: Verdict = { status: 'True', reason: 'Local', message: 'Local APIServices are always available' };

export class AvailableConditionController extends Reconciler {
  readonly #o: AvailableConditionOptions;

  constructor(o: AvailableConditionOptions) {
    super({ name: 'apiservice-availability', log: o.log });
    this.#o = o;
    o.apiServices.addEventHandler({
      onAdd: (s) => this.enqueue(s.metadata.name!),
      onUpdate: (_, s) => this.enqueue(s.metadata.name!),
      onDelete: (s) => this.enqueue(s.metadata.name!),
    });
    const byService = (obj: { metadata: { namespace?: string; name?: string } }): void => {
      for (const s of o.apiServices.list()) {
        const ref = serviceRefOf(s.spec);
        if (ref && ref.namespace === obj.metadata.namespace && ref.name === obj.metadata.name) this.enqueue(s.metadata.name!);
      }
    };
    for (const inf of [o.services, o.endpoints]) inf.addEventHandler({ onAdd: byService, onUpdate: (_, n) => byService(n), onDelete: byService });
  }

  async sync(name: string): Promise<void> {
    const s = this.#o.apiServices.get(name);
    if (!s) return this.#o.discovered(name, undefined);
    let verdict = LOCAL;
    if (serviceRefOf(s.spec)) {
      verdict = await this.#check(s);
      // Remote servers come and go without an event here: look again later, as upstream's resync does.
      this.queue.addAfter(name, this.#o.recheckMs ?? 30_000);
    } else {
      this.#o.discovered(name, undefined);
    }
    await this.#setCondition(s, verdict);
  }

  async #check(s: APIService): Promise<Verdict> {
    const ref = serviceRefOf(s.spec)!;
    const where = `service/${ref.name} in ${JSON.stringify(ref.namespace)}`;
    const svc = this.#o.services.get(`${ref.namespace}/${ref.name}`) as Service | undefined;
    if (!svc) return this.#failed(s, 'ServiceNotFound', `${where} is not present`);
    if ((svc.spec?.type ?? 'ClusterIP') === 'ClusterIP') {
      const port = (svc.spec?.ports ?? []).find((p) => p.port === ref.port);
      if (!port) return this.#failed(s, 'ServicePortError', `${where} is not listening on port ${ref.port}`);
      const eps = this.#o.endpoints.get(`${ref.namespace}/${ref.name}`) as Endpoints | undefined;
      if (!eps) return this.#failed(s, 'EndpointsNotFound', `cannot find endpoints for ${where}`);
      const portName = port.name ?? '';
      const active = (eps.subsets ?? []).some((ss) => (ss.addresses ?? []).length > 0 && (ss.ports ?? []).some((p) => (p.name ?? '') === portName));
      if (!active) return this.#failed(s, 'MissingEndpoints', `endpoints for ${where} have no addresses with port name ${JSON.stringify(portName)}`);
    }
    const path = `/apis/${s.spec?.group ?? ''}/${s.spec?.version ?? ''}`;
    let lastError = '';
    // Upstream tries five times (in parallel) and passes on the first success.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const found = await this.#discover(s, path);
        this.#o.discovered(s.metadata.name!, found);
        return { status: 'True', reason: 'Passed', message: 'all checks passed' };
      } catch (err) {
        lastError = (err as Error).message;
      }
    }
    return this.#failed(s, 'FailedDiscoveryCheck', lastError);
  }

  #failed(s: APIService, reason: string, message: string): Verdict {
    this.#o.discovered(s.metadata.name!, undefined);
    return { status: 'False', reason, message };
  }

  /** discover GETs the group/version's discovery document (and, best effort, where its OpenAPI v3 document is). */
  async #discover(s: APIService, path: string): Promise<Discovered> {
    const target = resolveEndpoint(serviceRefOf(s.spec)!, (k) => this.#o.services.get(k) as Service | undefined, (k) => this.#o.endpoints.get(k) as Endpoints | undefined);
    const url = remoteURL(target, path);
    const tls = { ...tlsOptionsFor(s, this.#o.proxyClient), rejectUnauthorized: false };
    // Setting the system:masters identity ensures the check always has access rights (upstream's comment).
    const headers = { 'X-Remote-User': 'system:kube-aggregator', 'X-Remote-Group': ['system:masters'] };
    let answer;
    try {
      answer = await getRemote(target, path, tls, headers);
    } catch (err) {
      throw new Error(`failing or missing response from ${url}: ${(err as Error).message}`);
    }
    if (answer.status < 200 || answer.status >= 300) throw new Error(`failing or missing response from ${url}: bad status from ${url}: ${answer.status}`);
    let resourceList: Discovered['resourceList'] = {};
    try {
      resourceList = JSON.parse(answer.body) as Discovered['resourceList'];
    } catch {
      resourceList = {};
    }
    const found: Discovered = { resourceList };
    const v3 = await getRemote(target, '/openapi/v3', tls, headers).catch(() => undefined);
    if (v3?.status === 200) {
      try {
        const index = JSON.parse(v3.body) as { paths?: Record<string, { serverRelativeURL?: string }> };
        found.openAPIV3 = index.paths?.[path.slice(1)]?.serverRelativeURL;
      } catch {
        // No usable index: the group/version is served without an OpenAPI v3 document.
      }
    }
    return found;
  }

  /** setCondition writes the Available condition when it changed, keeping lastTransitionTime while the status holds. */
  async #setCondition(s: APIService, v: Verdict): Promise<void> {
    const old = availableCondition(s);
    if (old && old.status === v.status && old.reason === v.reason && old.message === v.message) return;
    const now = rfc3339(Date.now());
    const cond: APIServiceCondition = { type: 'Available', status: v.status, lastTransitionTime: old?.status === v.status ? old.lastTransitionTime : now, reason: v.reason, message: v.message };
    const conditions = [...(s.status?.conditions ?? []).filter((c) => c.type !== 'Available'), cond];
    if (old?.status !== v.status && v.reason !== 'Local') this.#o.log?.(`aggregator: APIService ${s.metadata.name} Available=${v.status} (${v.reason}): ${v.message}`);
    try {
      await this.#o.client.update(APISERVICES, { ...s, status: { ...s.status, conditions } }, { subresource: 'status' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
