// SPDX-License-Identifier: Apache-2.0
/**
 * Tables of service networking: Service, Endpoints, EndpointSlice, Ingress,
 * IngressClass and NetworkPolicy, as upstream's printers.go prints them. The
 * apiserver always renders the wide form, so load-balancer addresses are
 * never clipped here (kubectl shows what the server sends).
 */
import type { EndpointSubset, Endpoints, LoadBalancerIngress, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Ingress, IngressClass, IngressRule, NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { age, ageColumn, column, listWithMore, nameColumn, printer } from './columns.js';
import { formatLabelSelector, formatLabels } from './label-format.js';

/** serviceTableConvertor: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE, wide SELECTOR. */
export const serviceTableConvertor = printer<Service>(
  [
    nameColumn(),
    column('Type', 'string', 'How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'),
    column('Cluster-IP', 'string', 'Virtual IP of the service inside the cluster.'),
    column('External-IP', 'string', 'Addresses the service is reachable at from outside the cluster.'),
    column('Port(s)', 'string', 'Service ports, with node ports, and protocols.'),
    ageColumn(),
    column('Selector', 'string', 'Label selector of the pods behind the service.', 1),
  ],
  (svc, now) => {
    const clusterIP = svc.spec?.clusterIPs?.[0] || svc.spec?.clusterIP || '<none>';
    return [
      svc.metadata?.name ?? '',
      serviceType(svc),
      clusterIP,
      serviceExternalIP(svc),
      portString(svc.spec?.ports ?? []) || '<none>',
      age(svc, now),
      formatLabels(svc.spec?.selector),
    ];
  },
);

function serviceType(svc: Service): string {
  return svc.spec?.type || 'ClusterIP';
}

/** serviceExternalIP is upstream's getServiceExternalIP with wide output (no clipping). */
function serviceExternalIP(svc: Service): string {
  const externalIPs = svc.spec?.externalIPs ?? [];
  switch (serviceType(svc)) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(svc.status?.loadBalancer?.ingress);
      if (externalIPs.length > 0) return [...lb, ...externalIPs].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** loadBalancerAddresses lists each ingress point's IP, or hostname when it has no IP, sorted and de-duplicated. */
function loadBalancerAddresses(ingress: Array<Pick<LoadBalancerIngress, 'ip' | 'hostname'>> | undefined): string[] {
  const set = new Set<string>();
  for (const i of ingress ?? []) {
    if (i.ip) set.add(i.ip);
    else if (i.hostname) set.add(i.hostname);
  }
  return [...set].sort();
}

function portString(ports: ServicePort[]): string {
  return ports
    .map((p) => {
      const protocol = p.protocol || 'TCP';
      return p.nodePort && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${protocol}` : `${p.port}/${protocol}`;
    })
    .join(',');
}

/** endpointsTableConvertor: NAME ENDPOINTS AGE. */
export const endpointsTableConvertor = printer<Endpoints>(
  [nameColumn(), column('Endpoints', 'string', 'Ready addresses and ports behind the service.'), ageColumn()],
  (ep, now) => [ep.metadata?.name ?? '', formatEndpoints(ep.subsets), age(ep, now)],
);

/**
 * formatEndpoints shows up to three `ip:port` pairs (bare IPs for subsets
 * without ports) and counts the rest, as upstream's formatEndpoints.
 */
function formatEndpoints(subsets: EndpointSubset[] | undefined): string {
  if (!subsets || subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  const add = (s: string) => {
    if (list.length < max) list.push(s);
  };
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    if (!ss.ports || ss.ports.length === 0) {
      count += addresses.length;
      addresses.forEach((a) => add(a.ip));
      continue;
    }
    for (const port of ss.ports) {
      count += addresses.length;
      addresses.forEach((a) => add(joinHostPort(a.ip, port.port)));
    }
  }
  const ret = list.join(',');
  return count > max ? `${ret} + ${count - max} more...` : ret;
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** endpointSliceTableConvertor: NAME ADDRESSTYPE PORTS ENDPOINTS AGE. */
export const endpointSliceTableConvertor = printer<EndpointSlice>(
  [
    nameColumn(),
    column('AddressType', 'string', 'Kind of addresses in the slice: IPv4, IPv6 or FQDN.'),
    column('Ports', 'string', 'Ports exposed by the endpoints.'),
    column('Endpoints', 'string', 'Addresses of the endpoints.'),
    ageColumn(),
  ],
  (slice, now) => {
    const ports = (slice.ports ?? []).map((p) => (p.port !== undefined && p.port !== null ? String(p.port) : (p.name ?? '*')));
    const addresses = (slice.endpoints ?? []).flatMap((e) => e.addresses ?? []);
    return [
      slice.metadata?.name ?? '',
      slice.addressType ?? '',
      listWithMore(ports, ports.length, 3, '<unset>'),
      listWithMore(addresses, addresses.length, 3, '<unset>'),
      age(slice, now),
    ];
  },
);

/** ingressTableConvertor: NAME CLASS HOSTS ADDRESS PORTS AGE. */
export const ingressTableConvertor = printer<Ingress>(
  [
    nameColumn(),
    column('Class', 'string', 'IngressClass that handles this ingress.'),
    column('Hosts', 'string', 'Host names the rules match.'),
    column('Address', 'string', 'Addresses of the load balancer serving the ingress.'),
    column('Ports', 'string', 'Ports the ingress listens on (443 when TLS is configured).'),
    ageColumn(),
  ],
  (ing, now) => [
    ing.metadata?.name ?? '',
    ing.spec?.ingressClassName ?? '<none>',
    formatHosts(ing.spec?.rules ?? []),
    loadBalancerAddresses(ing.status?.loadBalancer?.ingress).join(','),
    (ing.spec?.tls ?? []).length > 0 ? '80, 443' : '80',
    age(ing, now),
  ],
);

/** formatHosts lists up to three rule hosts (`*` when none); the overflow count is of rules, as upstream counts it. */
function formatHosts(rules: IngressRule[]): string {
  const max = 3;
  const hosts: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (hosts.length === max) more = true;
    if (!more && rule.host) hosts.push(rule.host);
  }
  if (hosts.length === 0) return '*';
  const ret = hosts.join(',');
  return more ? `${ret} + ${rules.length - max} more...` : ret;
}

/** ingressClassTableConvertor: NAME CONTROLLER PARAMETERS AGE. */
export const ingressClassTableConvertor = printer<IngressClass>(
  [
    nameColumn(),
    column('Controller', 'string', 'Controller that implements this class.'),
    column('Parameters', 'string', 'Resource holding extra configuration for the controller.'),
    ageColumn(),
  ],
  (ic, now) => {
    const p = ic.spec?.parameters;
    let parameters = '<none>';
    if (p) parameters = `${p.kind}${p.apiGroup !== undefined && p.apiGroup !== null ? `.${p.apiGroup}` : ''}/${p.name}`;
    return [ic.metadata?.name ?? '', ic.spec?.controller ?? '', parameters, age(ic, now)];
  },
);

/** networkPolicyTableConvertor: NAME POD-SELECTOR AGE. */
export const networkPolicyTableConvertor = printer<NetworkPolicy>(
  [nameColumn(), column('Pod-Selector', 'string', 'Label selector of the pods the policy applies to.'), ageColumn()],
  (np, now) => [np.metadata?.name ?? '', formatLabelSelector(np.spec?.podSelector), age(np, now)],
);
