// SPDX-License-Identifier: Apache-2.0
/**
 * Which records the cluster zone holds, following the Kubernetes DNS
 * specification (kubernetes/dns docs/specification.md) as CoreDNS's
 * kubernetes plugin implements it:
 *
 *   <svc>.<ns>.svc.<zone>            A: the cluster IP; headless: ready endpoint IPs;
 *                                    ExternalName: CNAME to spec.externalName
 *   _<port>._<proto>.<svc>.<ns>.svc.<zone>  SRV per named port (target: the service
 *                                    name, or for headless each endpoint's name)
 *   <host>.<svc>.<ns>.svc.<zone>     A of a headless endpoint; <host> is its hostname
 *                                    (StatefulSet pods, hostname/subdomain) or its dashed IP
 *   <a-b-c-d>.<ns>.pod.<zone>        A of a pod IP (CoreDNS `pods insecure`)
 *   d.c.b.a.in-addr.arpa             PTR of cluster IPs and headless endpoints
 *
 * Names in the zone that do not exist get NXDOMAIN, names without records of
 * the asked type NOERROR with no answers (NODATA); both carry the zone's SOA
 * so resolvers can cache the negative answer (RFC 2308). Lookups are pure
 * over a ClusterView so they are tested without a server.
 */
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { CLASS_IN, RCODE, TYPE, type Question, type ResourceRecord } from './dns-message.js';

/** RECORD_TTL is CoreDNS's kubernetes plugin default TTL (seconds). */
export const RECORD_TTL = 5;

/** ClusterView is the read-only state lookups need (the server backs it with informer caches). */
export interface ClusterView {
  service(namespace: string, name: string): Service | undefined;
  /** hasNamespace: some Service lives in the namespace (so `<ns>.svc.<zone>` exists). */
  hasNamespace(namespace: string): boolean;
  endpointSlices(namespace: string, service: string): readonly EndpointSlice[];
  /** podsWithSubdomain lists pods whose spec.subdomain is the given name. */
  podsWithSubdomain(namespace: string, subdomain: string): readonly Pod[];
  /** namesForIP lists the names a PTR query for the IP answers with (see buildReverseIndex). */
  namesForIP(ip: string): readonly string[];
}

/** LookupResult is the zone's answer to one question. */
export interface LookupResult {
  rcode: number;
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  additionals: ResourceRecord[];
  /** chase is the target of an ExternalName CNAME outside the zone, for the server to resolve upstream. */
  chase?: string;
}

interface Address {
  ip: string;
  host: string;
}

/** ClusterZone answers questions about one cluster domain. */
export class ClusterZone {
  readonly zone: string;
  readonly #serial = Math.floor(Date.now() / 1000);

  constructor(zone = 'cluster.local') {
    this.zone = zone.toLowerCase().replace(/\.$/, '');
  }

  /** lookup answers a question, or returns undefined when the name is not the cluster's (forward it). */
  lookup(view: ClusterView, q: Question): LookupResult | undefined {
    const name = q.name.toLowerCase().replace(/\.$/, '');
    if (name.endsWith('.in-addr.arpa')) return this.#reverse(view, q, name);
    if (name !== this.zone && !name.endsWith(`.${this.zone}`)) return undefined;
    const labels = name === this.zone ? [] : name.slice(0, -this.zone.length - 1).split('.');
    if (labels.length === 0) return this.#apex(q);
    const kind = labels[labels.length - 1];
    if (kind === 'svc') return this.#svc(view, q, labels.slice(0, -1));
    if (kind === 'pod' && labels.length === 3) return this.#pod(q, labels[0]);
    return this.nxdomain();
  }

  /** soa is the zone's SOA record, as CoreDNS writes it. */
  soa(): ResourceRecord {
    return {
      name: this.zone,
      type: TYPE.SOA,
      class: CLASS_IN,
      ttl: RECORD_TTL,
      data: { mname: `ns.dns.${this.zone}`, rname: `hostmaster.${this.zone}`, serial: this.#serial, refresh: 7200, retry: 1800, expire: 86400, minimum: RECORD_TTL },
    };
  }

  /** nxdomain: the name does not exist. */
  nxdomain(): LookupResult {
    return { rcode: RCODE.NXDOMAIN, answers: [], authorities: [this.soa()], additionals: [] };
  }

  #nodata(): LookupResult {
    return { rcode: RCODE.NOERROR, answers: [], authorities: [this.soa()], additionals: [] };
  }

  #ok(answers: ResourceRecord[], additionals: ResourceRecord[] = []): LookupResult {
    return answers.length ? { rcode: RCODE.NOERROR, answers, authorities: [], additionals } : this.#nodata();
  }

  #apex(q: Question): LookupResult {
    if (q.type === TYPE.SOA) return this.#ok([{ ...this.soa(), name: q.name }]);
    if (q.type === TYPE.NS) return this.#ok([rr(q.name, TYPE.NS, `ns.dns.${this.zone}`)]);
    return this.#nodata();
  }

  #svc(view: ClusterView, q: Question, labels: string[]): LookupResult {
    if (labels.length === 0) return this.#nodata();
    if (labels.length === 1) return view.hasNamespace(labels[0]) ? this.#nodata() : this.nxdomain();
    const [ns, svcName] = [labels[labels.length - 1], labels[labels.length - 2]];
    const svc = view.service(ns, svcName);
    if (!svc) return this.nxdomain();
    const svcFQDN = `${svcName}.${ns}.svc.${this.zone}`;
    if (labels.length === 2) return this.#service(view, q, svc, svcFQDN);
    if (labels.length === 4 && labels[0].startsWith('_') && labels[1].startsWith('_')) return this.#srv(view, q, svc, svcFQDN, labels[0].slice(1), labels[1].slice(1));
    if (labels.length === 3) return this.#endpointHost(view, q, svc, labels[0]);
    return this.nxdomain();
  }

  #service(view: ClusterView, q: Question, svc: Service, fqdn: string): LookupResult {
    const spec = svc.spec ?? {};
    if (spec.type === 'ExternalName') {
      const target = (spec.externalName ?? '').toLowerCase().replace(/\.$/, '');
      if (!target) return this.#nodata();
      const cname = rr(q.name, TYPE.CNAME, target);
      if (q.type === TYPE.CNAME) return this.#ok([cname]);
      const inZone = target === this.zone || target.endsWith(`.${this.zone}`);
      const inner = inZone ? this.lookup(view, { ...q, name: target }) : undefined;
      return { rcode: RCODE.NOERROR, answers: [cname, ...(inner?.answers ?? [])], authorities: [], additionals: [], chase: inZone ? undefined : target };
    }
    if (q.type === TYPE.SRV) return this.#srv(view, q, svc, fqdn);
    if (q.type !== TYPE.A && q.type !== TYPE.ANY) return this.#nodata();
    const ips = isHeadless(svc) ? this.#endpoints(view, svc).map((a) => a.ip) : clusterIPs(svc);
    return this.#ok([...new Set(ips)].map((ip) => rr(q.name, TYPE.A, ip)));
  }

  /** srv answers SRV for every named port, or one (port name and protocol from `_port._proto`). */
  #srv(view: ClusterView, q: Question, svc: Service, fqdn: string, portName?: string, proto?: string): LookupResult {
    if (q.type !== TYPE.SRV && q.type !== TYPE.ANY) return this.#nodata();
    const ports = (svc.spec?.ports ?? []).filter((p) => p.name && (portName === undefined || (p.name.toLowerCase() === portName && (p.protocol ?? 'TCP').toLowerCase() === proto)));
    if (portName !== undefined && ports.length === 0) return this.nxdomain();
    const answers: ResourceRecord[] = [];
    const additionals: ResourceRecord[] = [];
    if (!isHeadless(svc)) {
      const weight = share(ports.length);
      for (const p of ports) answers.push(rr(q.name, TYPE.SRV, { priority: 0, weight, port: p.port, target: fqdn }));
      for (const ip of clusterIPs(svc)) additionals.push(rr(fqdn, TYPE.A, ip));
      return this.#ok(answers, additionals);
    }
    const ns = svc.metadata?.namespace ?? '';
    for (const p of ports) {
      const targets = this.#endpointPorts(view.endpointSlices(ns, svc.metadata?.name ?? ''), svc, p.name!, p.protocol ?? 'TCP');
      const weight = share(targets.length);
      for (const t of targets) {
        const target = `${t.host}.${fqdn}`;
        answers.push(rr(q.name, TYPE.SRV, { priority: 0, weight, port: t.port, target }));
        additionals.push(rr(target, TYPE.A, t.ip));
      }
    }
    return this.#ok(answers, additionals);
  }

  #endpointHost(view: ClusterView, q: Question, svc: Service, host: string): LookupResult {
    if (!isHeadless(svc)) return this.nxdomain();
    const ns = svc.metadata?.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    const ips = this.#endpoints(view, svc).filter((a) => a.host === host).map((a) => a.ip);
    // Pods naming this Service as their subdomain get a record too (hostname/subdomain), even before a slice lists them.
    for (const pod of view.podsWithSubdomain(ns, name)) {
      if (pod.spec?.hostname?.toLowerCase() === host && pod.status?.podIP && (svc.spec?.publishNotReadyAddresses || isPodReady(pod))) ips.push(pod.status.podIP);
    }
    if (ips.length === 0) return this.nxdomain();
    if (q.type !== TYPE.A && q.type !== TYPE.ANY) return this.#nodata();
    return this.#ok([...new Set(ips)].map((ip) => rr(q.name, TYPE.A, ip)));
  }

  /** pod answers `<a-b-c-d>.<ns>.pod.<zone>` with the IP itself, without checking a pod has it (CoreDNS `pods insecure`, k3s' default). */
  #pod(q: Question, dashed: string): LookupResult {
    const ip = dashed.replace(/-/g, '.');
    if (!isIPv4(ip)) return this.nxdomain();
    return q.type === TYPE.A || q.type === TYPE.ANY ? this.#ok([rr(q.name, TYPE.A, ip)]) : this.#nodata();
  }

  #reverse(view: ClusterView, q: Question, name: string): LookupResult | undefined {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4) return undefined;
    const names = view.namesForIP(parts.reverse().join('.'));
    if (names.length === 0) return undefined;
    if (q.type !== TYPE.PTR && q.type !== TYPE.ANY) return this.#nodata();
    return this.#ok(names.map((n) => rr(q.name, TYPE.PTR, n)));
  }

  /** endpoints lists a headless Service's usable addresses with their host labels. */
  #endpoints(view: ClusterView, svc: Service): Address[] {
    const out: Address[] = [];
    for (const slice of view.endpointSlices(svc.metadata?.namespace ?? '', svc.metadata?.name ?? '')) {
      for (const a of sliceAddresses(slice, !!svc.spec?.publishNotReadyAddresses)) out.push(a);
    }
    return out;
  }

  #endpointPorts(slices: readonly EndpointSlice[], svc: Service, portName: string, protocol: string): (Address & { port: number })[] {
    const out: (Address & { port: number })[] = [];
    for (const slice of slices) {
      const port = (slice.ports ?? []).find((p) => p.name === portName && (p.protocol ?? 'TCP') === protocol)?.port;
      if (!port) continue;
      for (const a of sliceAddresses(slice, !!svc.spec?.publishNotReadyAddresses)) out.push({ ...a, port });
    }
    return out;
  }
}

/** sliceAddresses lists an IPv4 slice's ready addresses (all of them with publishNotReadyAddresses). */
function sliceAddresses(slice: EndpointSlice, publishNotReady: boolean): Address[] {
  if (slice.addressType !== 'IPv4') return [];
  const out: Address[] = [];
  for (const ep of slice.endpoints ?? []) {
    if (!publishNotReady && ep.conditions?.ready === false) continue;
    const ip = ep.addresses[0];
    if (ip) out.push({ ip, host: (ep.hostname ?? ip.replace(/\./g, '-')).toLowerCase() });
  }
  return out;
}

/**
 * buildReverseIndex maps IPs to the names PTR answers with: cluster IPs to
 * the Service name, headless endpoints to `<host>.<svc>.<ns>.svc.<zone>`.
 */
export function buildReverseIndex(services: readonly Service[], slices: readonly EndpointSlice[], zone: string): Map<string, string[]> {
  const index = new Map<string, string[]>();
  const add = (ip: string, name: string): void => {
    const list = index.get(ip);
    if (!list) index.set(ip, [name]);
    else if (!list.includes(name)) list.push(name);
  };
  const headless = new Set<string>();
  for (const svc of services) {
    const fqdn = `${svc.metadata?.name}.${svc.metadata?.namespace}.svc.${zone}`;
    if (isHeadless(svc)) headless.add(`${svc.metadata?.namespace}/${svc.metadata?.name}`);
    else for (const ip of clusterIPs(svc)) add(ip, fqdn);
  }
  for (const slice of slices) {
    const svc = slice.metadata?.labels?.['kubernetes.io/service-name'];
    if (!svc || !headless.has(`${slice.metadata?.namespace}/${svc}`)) continue;
    for (const a of sliceAddresses(slice, false)) add(a.ip, `${a.host}.${svc}.${slice.metadata?.namespace}.svc.${zone}`);
  }
  return index;
}

function rr(name: string, type: number, data: ResourceRecord['data']): ResourceRecord {
  return { name, type, class: CLASS_IN, ttl: RECORD_TTL, data };
}

function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

function clusterIPs(svc: Service): string[] {
  const spec = svc.spec ?? {};
  return (spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : []).filter(isIPv4);
}

function isIPv4(ip: string): boolean {
  return /^(\d{1,3})(\.\d{1,3}){3}$/.test(ip) && ip.split('.').every((p) => Number(p) <= 255);
}

function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** share spreads SRV weight evenly, as CoreDNS does (100 split over the records). */
function share(n: number): number {
  return n > 0 ? Math.max(1, Math.floor(100 / n)) : 0;
}
