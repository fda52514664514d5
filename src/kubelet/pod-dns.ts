// SPDX-License-Identifier: Apache-2.0
/**
 * podDNSConfig builds the CRI DNS settings of a pod from its dnsPolicy and
 * dnsConfig, as upstream pkg/kubelet/network/dns does: ClusterFirst points at
 * the cluster DNS with the namespace search path and ndots:5 (falling back to
 * the node's resolv.conf for hostNetwork pods, unless ClusterFirstWithHostNet),
 * Default copies the node's resolv.conf, None uses dnsConfig alone, and
 * dnsConfig is merged on top of every policy.
 */
import { readFileSync } from 'node:fs';
import type { Pod } from 'kubernetes-types/core/v1.js';

/** DNSSettings is the CRI dns_config. */
export interface DNSSettings {
  servers: string[];
  searches: string[];
  options: string[];
}

/** ClusterDNS says where the cluster DNS is. */
export interface ClusterDNS {
  /** servers are the cluster DNS service IPs (default 10.43.0.10). */
  servers: string[];
  /** domain is the cluster domain (default cluster.local). */
  domain: string;
  /** resolvConf is the node's resolv.conf (default /etc/resolv.conf). */
  resolvConf?: string;
}

// Upstream limits: 32 search domains, 2048 characters of search path, 3 nameservers.
const MAX_SEARCHES = 32;
const MAX_SERVERS = 3;

/** parseResolvConf reads nameservers, search domains and options from a resolv.conf text. */
export function parseResolvConf(text: string): DNSSettings {
  const out: DNSSettings = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.servers.push(rest[0]);
    else if (key === 'search') out.searches = rest.filter(Boolean);
    else if (key === 'options') out.options.push(...rest.filter(Boolean));
  }
  return out;
}

function hostResolv(cluster: ClusterDNS): DNSSettings {
  try {
    return parseResolvConf(readFileSync(cluster.resolvConf ?? '/etc/resolv.conf', 'utf8'));
  } catch {
    return { servers: [], searches: [], options: [] };
  }
}

/** podDNSConfig returns the DNS settings for a pod's sandbox. */
export function podDNSConfig(pod: Pod, cluster: ClusterDNS): DNSSettings {
  const spec = pod.spec ?? { containers: [] };
  let policy = spec.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'ClusterFirst' && spec.hostNetwork) policy = 'Default';
  if (policy === 'ClusterFirstWithHostNet') policy = 'ClusterFirst';
  let base: DNSSettings;
  if (policy === 'None') base = { servers: [], searches: [], options: [] };
  else if (policy === 'Default') base = hostResolv(cluster);
  else {
    const ns = pod.metadata?.namespace ?? 'default';
    const d = cluster.domain;
    base = {
      servers: [...cluster.servers],
      searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...hostResolv(cluster).searches],
      options: ['ndots:5'],
    };
  }
  const extra = spec.dnsConfig;
  const servers = dedupe([...base.servers, ...(extra?.nameservers ?? [])]).slice(0, MAX_SERVERS);
  const searches = dedupe([...base.searches, ...(extra?.searches ?? [])]).slice(0, MAX_SEARCHES);
  return { servers, searches, options: mergeOptions(base.options, extra?.options ?? []) };
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

// dnsConfig options override base options of the same name, as upstream mergeDNSOptions.
function mergeOptions(base: string[], extra: { name?: string; value?: string }[]): string[] {
  const byName = new Map<string, string>();
  for (const o of base) byName.set(o.split(':')[0], o);
  for (const o of extra) if (o.name) byName.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
  return [...byName.values()];
}
