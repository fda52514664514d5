// SPDX-License-Identifier: Apache-2.0
/**
 * The EndpointSlice controller, after upstream pkg/controller/endpointslice:
 * for each Service with a selector, IPv4 EndpointSlices named
 * `<service>-<random>` (one per distinct set of resolved ports; upstream
 * also splits at 100 endpoints), labelled with the Service name and this
 * controller as manager, owned by the Service, with ready/serving/
 * terminating conditions per pod.
 */
import { deepEqual, type KubeObject } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import { keyOf, type InformerFactory, type SharedInformer } from '../../client/index.js';
import type { Clock } from '../../client/index.js';
import { isNotFound } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';
import { newControllerRef } from '../controller-ref.js';
import { servicesOfPod } from '../endpoint/endpoints-controller.js';
import { candidates, portsFor, targetRefOf, type PodObj, type ResolvedPort, type ServiceObj } from '../endpoint/service-pods.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
const BY_SERVICE_INDEX = 'service';

/** EndpointSliceControllerOptions are the dependencies of an EndpointSliceController. */
export interface EndpointSliceControllerOptions {
  client: Client;
  factory: InformerFactory;
  clock?: Clock;
  log?: (msg: string) => void;
}

interface DesiredSlice {
  ports: ResolvedPort[];
  endpoints: Record<string, unknown>[];
}

/** EndpointSliceController keeps EndpointSlices in step with Services and their pods. */
export class EndpointSliceController extends Reconciler {
  readonly #client: Client;
  readonly #services: SharedInformer<ServiceObj>;
  readonly #pods: SharedInformer<PodObj>;
  readonly #slices: SharedInformer;

  constructor(opts: EndpointSliceControllerOptions) {
    super({ name: 'endpointslice-controller', clock: opts.clock, log: opts.log });
    this.#client = opts.client;
    this.#services = opts.factory.informer<ServiceObj>(R.services);
    this.#pods = opts.factory.informer<PodObj>(R.pods);
    this.#slices = opts.factory.informer(R.endpointslices);
    this.#slices.addIndexer(BY_SERVICE_INDEX, (s) => {
      const l = s.metadata.labels ?? {};
      return l[MANAGED_BY_LABEL] === CONTROLLER_NAME && l[SERVICE_NAME_LABEL] ? [`${s.metadata.namespace}/${l[SERVICE_NAME_LABEL]}`] : [];
    });
    this.#services.addEventHandler({
      onAdd: (s) => this.enqueue(keyOf(s)),
      onUpdate: (_o, s) => this.enqueue(keyOf(s)),
      onDelete: (s) => this.enqueue(keyOf(s)),
    });
    const podChanged = (p: KubeObject): void => servicesOfPod(this.#services, p).forEach((k) => this.enqueue(k));
    this.#pods.addEventHandler({ onAdd: podChanged, onUpdate: (o, p) => (podChanged(o), podChanged(p)), onDelete: podChanged });
    // Someone else changing or deleting our slices: put them back.
    const sliceChanged = (s: KubeObject): void => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc && s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME) this.enqueue(`${s.metadata.namespace}/${svc}`);
    };
    this.#slices.addEventHandler({ onUpdate: (_o, s) => sliceChanged(s), onDelete: sliceChanged });
  }

  /** sync makes the Service's slices match its pods: update in place, create what is missing, delete the surplus. */
  async sync(key: string): Promise<void> {
    const svc = this.#services.get(key);
    const existing = this.#slices.byIndex(BY_SERVICE_INDEX, key);
    // Without the Service (or its selector) our slices go; the garbage collector would also remove them via the owner reference.
    const desired = svc?.spec?.selector && Object.keys(svc.spec.selector).length > 0 ? this.#desired(svc) : [];
    const kept = existing.slice(0, desired.length);
    for (let i = 0; i < desired.length; i++) {
      const body = this.#slice(svc!, desired[i], kept[i]);
      if (!kept[i]) await this.#client.create(R.endpointslices, body, { namespace: svc!.metadata.namespace });
      else if (!deepEqual(stripMeta(kept[i]), stripMeta(body))) await this.#client.update(R.endpointslices, body, { namespace: svc!.metadata.namespace });
    }
    for (const s of existing.slice(desired.length)) {
      try {
        await this.#client.delete(R.endpointslices, s.metadata.name!, { namespace: s.metadata.namespace });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  #desired(svc: ServiceObj): DesiredSlice[] {
    const groups = new Map<string, DesiredSlice>();
    const noPorts = (svc.spec?.ports ?? []).length === 0;
    for (const c of candidates(svc, this.#pods.listNamespace(svc.metadata.namespace ?? ''))) {
      const { ports, signature } = portsFor(svc, c.pod);
      if (ports.length === 0 && !noPorts) continue;
      let g = groups.get(signature);
      if (!g) groups.set(signature, (g = { ports, endpoints: [] }));
      const ep: Record<string, unknown> = { addresses: [c.ip], conditions: { ready: c.ready, serving: c.serving, terminating: c.terminating } };
      if (c.pod.spec?.hostname && c.pod.spec.subdomain === svc.metadata.name) ep.hostname = c.pod.spec.hostname;
      if (c.pod.spec?.nodeName) ep.nodeName = c.pod.spec.nodeName;
      ep.targetRef = targetRefOf(c.pod);
      g.endpoints.push(ep);
    }
    // A Service with no endpoints still gets one empty slice, as upstream (placeholder slice).
    if (groups.size === 0) return [{ ports: [], endpoints: [] }];
    return [...groups.values()];
  }

  #slice(svc: ServiceObj, want: DesiredSlice, cur: KubeObject | undefined): KubeObject {
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}), [SERVICE_NAME_LABEL]: svc.metadata.name!, [MANAGED_BY_LABEL]: CONTROLLER_NAME };
    if (svc.spec?.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
    const metadata = cur
      ? { ...cur.metadata, labels }
      : { generateName: `${svc.metadata.name}-`, namespace: svc.metadata.namespace, labels, ownerReferences: [newControllerRef(svc, 'v1', 'Service')] };
    return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata, addressType: 'IPv4', endpoints: want.endpoints, ports: want.ports.map((p) => ({ ...p })) };
  }
}

/** stripMeta keeps what sync decides: labels and the slice body. */
function stripMeta(s: KubeObject): unknown {
  return { labels: s.metadata.labels ?? {}, addressType: s.addressType, endpoints: s.endpoints ?? [], ports: s.ports ?? [] };
}
