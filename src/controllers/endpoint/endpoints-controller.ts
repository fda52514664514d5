// SPDX-License-Identifier: Apache-2.0
/**
 * The Endpoints controller, after upstream pkg/controller/endpoint: for each
 * Service with a selector, one Endpoints object of the same name whose
 * subsets list the ready pods as addresses and the others as
 * notReadyAddresses, grouped by the ports they resolve to.
 */
import { deepEqual, type KubeObject } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import { keyOf, splitKey, type InformerFactory, type SharedInformer } from '../../client/index.js';
import type { Clock } from '../../client/index.js';
import { isAlreadyExists, isNotFound } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';
import { candidates, portsFor, selectsPod, targetRefOf, type EndpointCandidate, type PodObj, type ServiceObj } from './service-pods.js';

/** HEADLESS_LABEL marks Endpoints of headless Services, as upstream. */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/** EndpointsControllerOptions are the dependencies of an EndpointsController. */
export interface EndpointsControllerOptions {
  client: Client;
  factory: InformerFactory;
  clock?: Clock;
  log?: (msg: string) => void;
}

interface Subset {
  addresses?: Record<string, unknown>[];
  notReadyAddresses?: Record<string, unknown>[];
  ports?: Record<string, unknown>[];
}

/** servicesOfPod is the pod → Services mapping both endpoint controllers use. */
export function servicesOfPod(services: SharedInformer<ServiceObj>, pod: KubeObject): string[] {
  return services.listNamespace(pod.metadata.namespace ?? '').filter((s) => selectsPod(s, pod)).map((s) => keyOf(s));
}

/** EndpointsController keeps Endpoints in step with Services and their pods. */
export class EndpointsController extends Reconciler {
  readonly #client: Client;
  readonly #services: SharedInformer<ServiceObj>;
  readonly #pods: SharedInformer<PodObj>;
  readonly #endpoints: SharedInformer;

  constructor(opts: EndpointsControllerOptions) {
    super({ name: 'endpoints-controller', clock: opts.clock, log: opts.log });
    this.#client = opts.client;
    this.#services = opts.factory.informer<ServiceObj>(R.services);
    this.#pods = opts.factory.informer<PodObj>(R.pods);
    this.#endpoints = opts.factory.informer(R.endpoints);
    this.#services.addEventHandler({
      onAdd: (s) => this.enqueue(keyOf(s)),
      onUpdate: (_o, s) => this.enqueue(keyOf(s)),
      onDelete: (s) => this.enqueue(keyOf(s)),
    });
    this.#pods.addEventHandler({
      onAdd: (p) => this.#podChanged(p),
      onUpdate: (old, p) => {
        this.#podChanged(old);
        this.#podChanged(p);
      },
      onDelete: (p) => this.#podChanged(p),
    });
  }

  #podChanged(p: KubeObject): void {
    for (const k of servicesOfPod(this.#services, p)) this.enqueue(k);
  }

  /** sync writes the Endpoints of the Service at key (and deletes them when the Service is gone). */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.#services.get(key);
    if (!svc) {
      try {
        await this.#client.delete(R.endpoints, name, { namespace });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return;
    }
    // Without a selector the user manages the Endpoints.
    if (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) return;
    const subsets = this.#subsets(svc);
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
    if (svc.spec.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
    const cur = this.#endpoints.get(key);
    if (cur && deepEqual(cur.subsets ?? [], subsets) && deepEqual(cur.metadata.labels ?? {}, labels)) return;
    const ep: KubeObject = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels }, subsets };
    if (cur) {
      ep.metadata = { ...cur.metadata, labels };
      await this.#client.update(R.endpoints, ep, { namespace });
      return;
    }
    try {
      await this.#client.create(R.endpoints, ep, { namespace });
    } catch (err) {
      // The cache was behind: retry with back-off and update next time.
      if (isAlreadyExists(err)) throw new Error(`endpoints ${key} exist but are not cached yet`);
      throw err;
    }
  }

  /** subsets groups addresses by their resolved ports, ready ones apart from the rest. */
  #subsets(svc: ServiceObj): Subset[] {
    const groups = new Map<string, Subset>();
    const noPorts = (svc.spec?.ports ?? []).length === 0;
    for (const c of candidates(svc, this.#pods.listNamespace(svc.metadata.namespace ?? ''))) {
      // Endpoints list terminating pods only when the Service asks for not-ready addresses.
      if (c.terminating && !svc.spec?.publishNotReadyAddresses) continue;
      const { ports, signature } = portsFor(svc, c.pod);
      if (ports.length === 0 && !noPorts) continue;
      let g = groups.get(signature);
      if (!g) {
        g = ports.length > 0 ? { ports: ports.map((p) => ({ ...p })) } : {};
        groups.set(signature, g);
      }
      const addr = address(svc, c);
      if (c.ready) (g.addresses ??= []).push(addr);
      else (g.notReadyAddresses ??= []).push(addr);
    }
    return [...groups.values()];
  }
}

function address(svc: ServiceObj, c: EndpointCandidate): Record<string, unknown> {
  const a: Record<string, unknown> = { ip: c.ip };
  const spec = c.pod.spec;
  // A pod names itself in DNS only when its subdomain is this Service (upstream endpointutil).
  if (spec?.hostname && spec.subdomain === svc.metadata.name) a.hostname = spec.hostname;
  if (spec?.nodeName) a.nodeName = spec.nodeName;
  a.targetRef = targetRefOf(c.pod);
  return a;
}
