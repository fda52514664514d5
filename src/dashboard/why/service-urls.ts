// SPDX-License-Identifier: Apache-2.0
/**
 * Where a Service or an Ingress can be reached from outside the cluster, as
 * URLs a browser can open: a NodePort on each node's address, a load
 * balancer's address, external IPs, and each Ingress rule's host and path
 * with https where a TLS entry covers the host (as Ingress controllers serve
 * them). Cluster-internal names are listed too, without a link.
 */
import type { Node, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { Ingress } from 'kubernetes-types/networking/v1.js';

/** Reach is one way to a Service or an Ingress backend; url is set when a browser outside the cluster can open it. */
export interface Reach {
  /** how names the way (`NodePort on node-1`, `load balancer`, `cluster DNS`, `host example.com`). */
  how: string;
  /** address is `host:port` or the URL without scheme, for display. */
  address: string;
  url?: string;
  /** backend is what an Ingress path leads to (`svc:80`). */
  backend?: string;
}

/** portScheme guesses the scheme a port speaks: its appProtocol, then its name, then the well-known TLS ports. */
export function portScheme(p: Pick<ServicePort, 'name' | 'port' | 'appProtocol'>): 'http' | 'https' {
  const hint = `${p.appProtocol ?? ''} ${p.name ?? ''}`.toLowerCase();
  if (/https|tls|ssl/.test(hint)) return 'https';
  return p.port === 443 || p.port === 8443 ? 'https' : 'http';
}

/** urlOf writes scheme://host:port/path, leaving out the scheme's default port and bracketing IPv6 addresses. */
export function urlOf(scheme: 'http' | 'https', host: string, port: number | undefined, path = '/'): string {
  const h = host.includes(':') ? `[${host}]` : host;
  const p = port === undefined || (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443) ? '' : `:${port}`;
  return `${scheme}://${h}${p}${path.startsWith('/') ? path : `/${path}`}`;
}

/** nodeAddress is the address a node is reached at from outside: its ExternalIP, else its InternalIP, else its hostname. */
export function nodeAddress(node: Node): string | undefined {
  const addrs = node.status?.addresses ?? [];
  return (addrs.find((a) => a.type === 'ExternalIP') ?? addrs.find((a) => a.type === 'InternalIP') ?? addrs.find((a) => a.type === 'Hostname'))?.address;
}

/** serviceReach lists the ways to a Service: cluster DNS and IP, then NodePorts, load balancer and external IPs with URLs. */
export function serviceReach(svc: Service, nodes: Node[]): Reach[] {
  const ns = svc.metadata?.namespace ?? 'default';
  const name = svc.metadata?.name ?? '';
  const spec = svc.spec ?? {};
  const ports = spec.ports ?? [];
  const out: Reach[] = [];
  for (const p of ports) {
    out.push({ how: 'cluster DNS', address: `${name}.${ns}.svc.cluster.local:${p.port}` });
    if (spec.clusterIP && spec.clusterIP !== 'None') out.push({ how: 'cluster IP', address: `${spec.clusterIP}:${p.port}` });
  }
  if (spec.type === 'ExternalName' && spec.externalName) out.push({ how: 'external name', address: spec.externalName });
  for (const p of ports) {
    if (!p.nodePort || (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer')) continue;
    for (const node of nodes) {
      const addr = nodeAddress(node);
      if (!addr) continue;
      const scheme = portScheme(p);
      out.push({ how: `NodePort on ${node.metadata?.name}`, address: `${addr}:${p.nodePort}`, url: urlOf(scheme, addr, p.nodePort) });
    }
  }
  for (const lb of svc.status?.loadBalancer?.ingress ?? []) {
    const addr = lb.ip ?? lb.hostname;
    if (!addr) continue;
    for (const p of ports) out.push({ how: 'load balancer', address: `${addr}:${p.port}`, url: urlOf(portScheme(p), addr, p.port) });
  }
  for (const ip of spec.externalIPs ?? []) {
    for (const p of ports) out.push({ how: 'external IP', address: `${ip}:${p.port}`, url: urlOf(portScheme(p), ip, p.port) });
  }
  return out;
}

/** tlsCovers is true when a TLS entry names host, or a wildcard one level above it (`*.example.com` covers `a.example.com`). */
export function tlsCovers(ing: Ingress, host: string | undefined): boolean {
  return (ing.spec?.tls ?? []).some((t) => {
    // A TLS entry without hosts is the controller's default certificate: it serves requests that name no host.
    if (!t.hosts?.length) return !host;
    return !!host && t.hosts.some((h) => h === host || (h.startsWith('*.') && host.endsWith(h.slice(1)) && !host.slice(0, -h.length + 1).includes('.')));
  });
}

function backendText(b: { service?: { name: string; port?: { number?: number; name?: string } }; resource?: { kind: string; name: string } } | undefined): string {
  if (b?.service) return `${b.service.name}:${b.service.port?.number ?? b.service.port?.name ?? ''}`;
  if (b?.resource) return `${b.resource.kind}/${b.resource.name}`;
  return '';
}

/**
 * ingressReach lists each rule's host and path with the backend it leads to.
 * A rule without a host is reached at the Ingress's load-balancer address;
 * a wildcard host has no single URL to open.
 */
export function ingressReach(ing: Ingress): Reach[] {
  const lb = (ing.status?.loadBalancer?.ingress ?? []).map((i) => ({ addr: i.ip ?? i.hostname, ports: i.ports?.map((p) => p.port) })).filter((i) => i.addr);
  const out: Reach[] = [];
  const add = (host: string | undefined, path: string, backend: string) => {
    const scheme = tlsCovers(ing, host) ? 'https' : 'http';
    if (host && !host.startsWith('*.')) {
      out.push({ how: `host ${host}`, address: `${host}${path}`, url: urlOf(scheme, host, undefined, path), backend });
      return;
    }
    if (host) {
      out.push({ how: `host ${host}`, address: `${host}${path}`, backend });
      return;
    }
    if (lb.length === 0) out.push({ how: 'any host', address: `(no address yet)${path}`, backend });
    for (const { addr } of lb) out.push({ how: 'any host', address: `${addr}${path}`, url: urlOf(scheme, addr!, undefined, path), backend });
  };
  for (const rule of ing.spec?.rules ?? []) {
    for (const p of rule.http?.paths ?? []) add(rule.host, p.path ?? '/', backendText(p.backend));
  }
  if (ing.spec?.defaultBackend) add(undefined, '/', `${backendText(ing.spec.defaultBackend)} (default backend)`);
  return out;
}
