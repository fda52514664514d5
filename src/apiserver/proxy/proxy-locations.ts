// SPDX-License-Identifier: Apache-2.0
/**
 * Where a proxy request goes, as upstream's ResourceLocation of each
 * registry: a service id picks a ready endpoint address of the named port
 * (a port number is first turned into the service port's name), a pod id
 * the pod IP and the given port (or the first declared container port), a
 * node id the node's kubelet (or another port on the node). Errors carry
 * upstream's messages.
 */
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import { isIP } from 'node:net';
import { R, type Client } from '../../client/index.js';
import { newBadRequest, newServiceUnavailable } from '../../machinery/index.js';
import type { KubeletClient } from '../streaming/kubelet-client.js';
import { splitSchemeNamePort } from './proxy-id.js';

/** ProxyLocation is the target of a proxied request; `kubelet` sends it through the kubelet client (credentials, pinned address). */
export interface ProxyLocation {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** kubelet is set when the target is a node's kubelet server itself. */
  kubelet?: string;
}

export async function serviceLocation(client: Client, namespace: string, id: string): Promise<ProxyLocation> {
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw newBadRequest(`invalid service request "${id}"`);
  let portName = parsed.port;
  if (/^-?\d+$/.test(portName)) {
    const svc = (await client.get(R.services, parsed.name, { namespace })) as Service;
    const found = (svc.spec?.ports ?? []).find((p) => p.port === Number(portName));
    if (!found) throw newServiceUnavailable(`no service port ${Number(portName)} found for service "${parsed.name}"`);
    portName = found.name ?? '';
  }
  const eps = (await client.get(R.endpoints, parsed.name, { namespace })) as Endpoints;
  const subsets = eps.subsets ?? [];
  if (subsets.length === 0) throw newServiceUnavailable(`no endpoints available for service "${parsed.name}"`);
  // Start from a random subset and address, as upstream spreads proxy traffic.
  const start = Math.floor(Math.random() * subsets.length);
  for (let i = 0; i < subsets.length; i++) {
    const ss = subsets[(start + i) % subsets.length];
    const addrs = ss.addresses ?? [];
    if (addrs.length === 0) continue;
    const port = (ss.ports ?? []).find((p) => (p.name ?? '') === portName);
    if (!port) continue;
    const addr = addrs[Math.floor(Math.random() * addrs.length)];
    return { scheme: parsed.scheme || 'http', host: addr.ip, port: port.port };
  }
  throw newServiceUnavailable(`no endpoints available for service "${id}"`);
}

export async function podLocation(client: Client, namespace: string, id: string): Promise<ProxyLocation> {
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw newBadRequest(`invalid pod request "${id}"`);
  const pod = (await client.get(R.pods, parsed.name, { namespace })) as Pod;
  let port = parsed.port;
  if (!port) {
    const withPorts = (pod.spec?.containers ?? []).find((c) => (c.ports ?? []).length > 0);
    if (withPorts) port = String(withPorts.ports![0].containerPort);
  }
  const ip = pod.status?.podIP ?? '';
  if (!isGlobalUnicast(ip)) throw newBadRequest('address not allowed');
  const n = Number(port || (parsed.scheme === 'https' ? 443 : 80));
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw newBadRequest(`invalid port "${port}"`);
  return { scheme: parsed.scheme || 'http', host: ip, port: n };
}

export async function nodeLocation(client: Client, kubelets: KubeletClient, id: string): Promise<ProxyLocation> {
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw newBadRequest(`invalid node request "${id}"`);
  const ep = await kubelets.endpoint(parsed.name);
  if (!parsed.port || parsed.port === String(ep.port)) return { scheme: 'https', host: ep.host, port: ep.port, kubelet: parsed.name };
  await client.get(R.nodes, parsed.name);
  const n = Number(parsed.port);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw newBadRequest(`invalid port "${parsed.port}"`);
  return { scheme: parsed.scheme || 'http', host: ep.host, port: n };
}

/** isGlobalUnicast is Go's net.IP.IsGlobalUnicast for the pod IP check (not loopback, link-local, multicast or unspecified). */
function isGlobalUnicast(ip: string): boolean {
  const v = isIP(ip);
  if (v === 4) {
    const [a, b] = ip.split('.').map(Number);
    return !(a === 0 || a === 127 || (a === 169 && b === 254) || a >= 224);
  }
  if (v === 6) {
    const l = ip.toLowerCase();
    return !(l === '::' || l === '::1' || l.startsWith('fe8') || l.startsWith('fe9') || l.startsWith('fea') || l.startsWith('feb') || l.startsWith('ff'));
  }
  return false;
}
