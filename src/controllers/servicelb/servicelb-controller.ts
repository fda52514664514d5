// SPDX-License-Identifier: Apache-2.0
/**
 * ServiceLB publishes LoadBalancer Services at the nodes' own addresses, as
 * k3s ServiceLB (pkg/cloudprovider/servicelb.go) does: every Ready node that
 * can serve the Service is one ingress point. Where k3s runs an svclb pod per
 * node and lists the nodes whose pod is ready, Skiff's nodes already answer
 * on their addresses through the service proxy (status.loadBalancer IPs get
 * DNAT rules on every node), so the node being Ready is the readiness here.
 * With externalTrafficPolicy Local only nodes with a ready endpoint of the
 * Service count (k3s filters the same way), so no address is published that
 * would drop the traffic. Each node is published by its ExternalIP addresses,
 * or its InternalIP when it has none (k3s's choice). Services with a
 * spec.loadBalancerClass belong to another implementation and are left alone.
 *
 * Keys are Services (`ns/name`); a Node or EndpointSlice change requeues the
 * LoadBalancer Services it can affect.
 */
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { deepClone, type KubeObject } from '../../api/index.js';
import { R, keyOf, Reconciler, type Client, type InformerFactory, type SharedInformer } from '../../client/index.js';
import { isNotFound } from '../../machinery/index.js';

type ServiceObj = KubeObject & Service;
type NodeObj = KubeObject & Node;
type SliceObj = KubeObject & EndpointSlice;

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface ServiceLBControllerOptions {
  client: Client;
  factory: InformerFactory;
  log?: (msg: string) => void;
  /** servesNode says whether a node runs the data plane (the server leaves out simulated nodes). */
  servesNode?: (node: NodeObj) => boolean;
}

const isLoadBalancer = (s: ServiceObj) => s.spec?.type === 'LoadBalancer' && !s.spec.loadBalancerClass;
const isReady = (n: NodeObj) => !n.metadata.deletionTimestamp && (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** nodeAddresses are the addresses a node is published by: its ExternalIPs, else its InternalIPs. */
export function nodeAddresses(n: Node): string[] {
  const of = (type: string) => (n.status?.addresses ?? []).filter((a) => a.type === type).map((a) => a.address);
  const external = of('ExternalIP');
  return external.length ? external : of('InternalIP');
}

/** ingressIPs lists the addresses a LoadBalancer Service is published at, sorted. */
export function ingressIPs(svc: Service, nodes: readonly NodeObj[], slices: readonly EndpointSlice[], servesNode: (n: NodeObj) => boolean): string[] {
  let eligible = nodes.filter((n) => isReady(n) && servesNode(n));
  if (svc.spec?.externalTrafficPolicy === 'Local') {
    const withEndpoint = new Set(slices.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false && e.nodeName).map((e) => e.nodeName!)));
    eligible = eligible.filter((n) => withEndpoint.has(n.metadata.name ?? ''));
  }
  return [...new Set(eligible.flatMap(nodeAddresses))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

export class ServiceLBController extends Reconciler {
  readonly #client: Client;
  readonly #log: (msg: string) => void;
  readonly #servesNode: (n: NodeObj) => boolean;
  readonly #services: SharedInformer<ServiceObj>;
  readonly #nodes: SharedInformer<NodeObj>;
  readonly #slices: SharedInformer<SliceObj>;

  constructor(o: ServiceLBControllerOptions) {
    super({ name: 'servicelb', log: o.log, maxRetries: 15 });
    this.#client = o.client;
    this.#log = o.log ?? (() => {});
    this.#servesNode = o.servesNode ?? (() => true);
    this.#services = o.factory.informer<ServiceObj>(R.services);
    this.#nodes = o.factory.informer<NodeObj>(R.nodes);
    this.#slices = o.factory.informer<SliceObj>(R.endpointslices);
    const service = (s: ServiceObj) => this.enqueue(keyOf(s));
    this.#services.addEventHandler({ onAdd: service, onUpdate: (_o, s) => service(s), onDelete: () => undefined });
    const allLoadBalancers = () => { for (const s of this.#services.list()) if (isLoadBalancer(s)) this.enqueue(keyOf(s)); };
    this.#nodes.addEventHandler({ onAdd: allLoadBalancers, onUpdate: allLoadBalancers, onDelete: allLoadBalancers });
    const slice = (s: SliceObj) => {
      const name = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (name) this.enqueue(`${s.metadata.namespace}/${name}`);
    };
    this.#slices.addEventHandler({ onAdd: slice, onUpdate: (_o, s) => slice(s), onDelete: slice });
  }

  async sync(key: string): Promise<void> {
    const svc = this.#services.get(key);
    if (!svc || svc.spec?.loadBalancerClass) return;
    const have = svc.status?.loadBalancer?.ingress ?? [];
    let want: string[] = [];
    if (isLoadBalancer(svc)) {
      const slices = this.#slices.list().filter((s) => s.metadata.namespace === svc.metadata.namespace && s.metadata.labels?.[SERVICE_NAME_LABEL] === svc.metadata.name);
      want = ingressIPs(svc, this.#nodes.list(), slices, this.#servesNode);
    }
    // A Service that stopped being a LoadBalancer loses its addresses (k3s deletes its svclb pods).
    if (have.length === want.length && have.every((i, n) => i.ip === want[n] && !i.hostname)) return;
    const next = deepClone(svc);
    // kubernetes-types marks status read-only; this is our own copy.
    (next as { status?: Service['status'] }).status = { ...next.status, loadBalancer: want.length ? { ingress: want.map((ip) => ({ ip, ipMode: 'VIP' as const })) } : {} };
    try {
      await this.#client.update(R.services, next, { namespace: svc.metadata.namespace, subresource: 'status' });
      this.#log(`servicelb: ${key} at ${want.join(', ') || 'no address'}`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
