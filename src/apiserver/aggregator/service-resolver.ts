// SPDX-License-Identifier: Apache-2.0
/**
 * Where an APIService's requests go: an address of its Service's endpoints
 * on the port named like the service port, as upstream's endpoint service
 * resolver (kube-apiserver with --enable-aggregator-routing), so the API
 * server reaches extension servers without the service proxy's rules.
 */
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import { newServiceUnavailable } from '../../machinery/index.js';

/** ServiceRef is an APIService's spec.service with its port defaulted. */
export interface ServiceRef {
  namespace: string;
  name: string;
  port: number;
}

/** Lookup reads a cached object by `namespace/name`. */
export type Lookup<T> = (key: string) => T | undefined;

/** resolveEndpoint picks a random ready address of the service port, or throws a 503 with upstream's resolver message. */
export function resolveEndpoint(ref: ServiceRef, services: Lookup<Service>, endpoints: Lookup<Endpoints>): { host: string; port: number } {
  const key = `${ref.namespace}/${ref.name}`;
  const svc = services(key);
  if (!svc) throw newServiceUnavailable(`service "${ref.name}" not found`);
  const svcPort = (svc.spec?.ports ?? []).find((p) => p.port === ref.port);
  if (!svcPort) throw newServiceUnavailable(`no service port ${ref.port} found for service "${ref.name}"`);
  // An ExternalName service resolves to its name, as upstream.
  if (svc.spec?.type === 'ExternalName') return { host: svc.spec.externalName ?? '', port: ref.port };
  const eps = endpoints(key);
  if (!eps) throw newServiceUnavailable(`endpoints "${ref.name}" not found`);
  const portName = svcPort.name ?? '';
  const candidates: { host: string; port: number }[] = [];
  for (const ss of eps.subsets ?? []) {
    const p = (ss.ports ?? []).find((x) => (x.name ?? '') === portName);
    if (!p) continue;
    for (const a of ss.addresses ?? []) candidates.push({ host: a.ip, port: p.port });
  }
  if (!candidates.length) throw newServiceUnavailable(`no endpoints available for service "${ref.name}"`);
  return candidates[Math.floor(Math.random() * candidates.length)];
}

/** serviceRefOf returns an APIService's service with upstream's default port 443, or undefined for a local one. */
export function serviceRefOf(spec: { service?: { namespace?: string; name?: string; port?: number } | null } | undefined): ServiceRef | undefined {
  const s = spec?.service;
  if (!s) return undefined;
  return { namespace: s.namespace ?? '', name: s.name ?? '', port: s.port ?? 443 };
}
