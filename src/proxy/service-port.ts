// SPDX-License-Identifier: Apache-2.0
/**
 * ServicePortInfo is what the proxy needs to know about one port of one
 * Service, joined with the endpoints its EndpointSlices name, as kube-proxy's
 * ServicePort/Endpoint pair (pkg/proxy/servicechangetracker.go and
 * endpointschangetracker.go). Building it is pure so rules can be tested from
 * objects alone.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

/** SERVICE_NAME_LABEL ties an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** Protocol is a Service port protocol. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** ProxyEndpoint is one address:port behind a service port. */
export interface ProxyEndpoint {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** local: the endpoint runs on this proxy's node. */
  local: boolean;
}

/** ServicePortInfo is one port of one Service with everything the rules need. */
export interface ServicePortInfo {
  /** key is `namespace/name:portName`, kube-proxy's ServicePortName. */
  key: string;
  namespace: string;
  name: string;
  portName: string;
  protocol: Protocol;
  clusterIPs: string[];
  port: number;
  nodePort?: number;
  externalIPs: string[];
  loadBalancerIPs: string[];
  /** affinitySeconds is set for sessionAffinity ClientIP. */
  affinitySeconds?: number;
  internalLocal: boolean;
  externalLocal: boolean;
  /** endpoints, deduplicated, in a stable order (by IP, then port). */
  endpoints: ProxyEndpoint[];
}

const DEFAULT_AFFINITY_SECONDS = 10800;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** servicePorts joins Services with their EndpointSlices into the proxy's view, sorted by key. */
export function servicePorts(services: readonly Service[], slices: readonly EndpointSlice[], nodeName: string): ServicePortInfo[] {
  const byService = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!svc || s.addressType !== 'IPv4') continue;
    const k = `${s.metadata?.namespace}/${svc}`;
    const list = byService.get(k);
    if (list) list.push(s);
    else byService.set(k, [s]);
  }
  const out: ServicePortInfo[] = [];
  for (const svc of services) {
    if (!isProxied(svc)) continue;
    const k = `${svc.metadata?.namespace}/${svc.metadata?.name}`;
    for (const port of svc.spec!.ports ?? []) out.push(portInfo(svc, port, byService.get(k) ?? [], nodeName));
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.protocol < b.protocol ? -1 : 1));
}

/** isProxied: ExternalName and headless Services get no rules, as in kube-proxy. */
function isProxied(svc: Service): boolean {
  const spec = svc.spec;
  if (!spec || spec.type === 'ExternalName') return false;
  return !!spec.clusterIP && spec.clusterIP !== 'None';
}

function portInfo(svc: Service, port: NonNullable<NonNullable<Service['spec']>['ports']>[number], slices: EndpointSlice[], nodeName: string): ServicePortInfo {
  const spec = svc.spec!;
  const ns = svc.metadata?.namespace ?? '';
  const name = svc.metadata?.name ?? '';
  const portName = port.name ?? '';
  const protocol = (port.protocol ?? 'TCP') as Protocol;
  const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  const clusterIPs = (spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP!]).filter((ip) => IPV4.test(ip));
  const lbIPs = spec.type === 'LoadBalancer' ? (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip && IPV4.test(ip)) : [];
  return {
    key: `${ns}/${name}:${portName}`,
    namespace: ns,
    name,
    portName,
    protocol,
    clusterIPs,
    port: port.port,
    nodePort: external && port.nodePort ? port.nodePort : undefined,
    externalIPs: (spec.externalIPs ?? []).filter((ip) => IPV4.test(ip)),
    loadBalancerIPs: lbIPs,
    affinitySeconds: spec.sessionAffinity === 'ClientIP' ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS : undefined,
    internalLocal: spec.internalTrafficPolicy === 'Local',
    externalLocal: external && spec.externalTrafficPolicy === 'Local',
    endpoints: endpointsFor(slices, portName, protocol, nodeName, !!spec.publishNotReadyAddresses),
  };
}

function endpointsFor(slices: EndpointSlice[], portName: string, protocol: Protocol, nodeName: string, publishNotReady: boolean): ProxyEndpoint[] {
  const seen = new Map<string, ProxyEndpoint>();
  for (const slice of slices) {
    // Slice ports are matched to service ports by name; the slice carries the resolved target port (named targetPorts resolved per pod).
    const sp = (slice.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol);
    if (!sp?.port) continue;
    for (const ep of slice.endpoints ?? []) {
      const c = ep.conditions ?? {};
      // Unset ready means ready (discovery/v1); publishNotReadyAddresses makes every address usable, as the endpointslice controller would.
      const ready = publishNotReady || c.ready !== false;
      const serving = publishNotReady || (c.serving ?? c.ready) !== false;
      for (const ip of ep.addresses.slice(0, 1)) {
        if (!IPV4.test(ip)) continue;
        const k = `${ip}:${sp.port}`;
        if (!seen.has(k)) seen.set(k, { ip, port: sp.port, ready, serving, terminating: c.terminating === true, local: !!nodeName && ep.nodeName === nodeName });
      }
    }
  }
  return [...seen.values()].sort((a, b) => compareIP(a.ip, b.ip) || a.port - b.port);
}

function compareIP(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

/**
 * usableEndpoints picks the endpoints traffic may go to: the ready ones, or,
 * when none is ready, those still serving while terminating (kube-proxy's
 * CategorizeEndpoints with ProxyTerminatingEndpoints).
 */
export function usableEndpoints(eps: readonly ProxyEndpoint[]): ProxyEndpoint[] {
  const ready = eps.filter((e) => e.ready && !e.terminating);
  if (ready.length > 0) return ready;
  return eps.filter((e) => e.serving && e.terminating);
}
