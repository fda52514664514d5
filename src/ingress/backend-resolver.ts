// SPDX-License-Identifier: Apache-2.0
/**
 * Resolves an Ingress backend (Service name, port name or number) to an
 * Upstream: the Service's port, then the EndpointSlices labelled with the
 * Service name whose port carries the same name (upstream's rule: a
 * Service port and an EndpointSlice port correspond by name), then every
 * endpoint whose `ready` condition is not false (nil means ready, as the
 * discovery/v1 API documents).
 */
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { IngressBackend } from 'kubernetes-types/networking/v1.js';
import { Upstream, type Endpoint } from './upstream.js';

/** SERVICE_NAME_LABEL links an EndpointSlice to its Service (discovery/v1). */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** BackendLookups gives the resolver read access to cached Services and EndpointSlices. */
export interface BackendLookups {
  service(namespace: string, name: string): Service | undefined;
  /** slices returns the EndpointSlices of one Service. */
  slices(namespace: string, service: string): readonly EndpointSlice[];
}

/** BackendResolver turns Ingress backends into Upstreams, one Upstream per (Service, port) so paths share round-robin state. */
export class BackendResolver {
  readonly #lookups: BackendLookups;
  readonly #cache = new Map<string, Upstream>();

  constructor(lookups: BackendLookups) {
    this.#lookups = lookups;
  }

  /** resolve returns the Upstream for a backend of an Ingress in `namespace`. */
  resolve(namespace: string, backend: IngressBackend): Upstream {
    const svc = backend.service;
    if (!svc) {
      const r = backend.resource;
      const what = r ? `${r.apiGroup ?? ''}/${r.kind}/${r.name}` : 'empty backend';
      return new Upstream(`${namespace}/${what}`, [], { reason: 'UnsupportedBackend', message: `resource backend ${what} is not supported; use a Service backend` });
    }
    const portLabel = svc.port?.name ?? String(svc.port?.number ?? '');
    const key = `${namespace}/${svc.name}:${portLabel}`;
    let up = this.#cache.get(key);
    if (!up) this.#cache.set(key, (up = this.#build(key, namespace, svc.name, svc.port ?? {})));
    return up;
  }

  #build(key: string, namespace: string, name: string, want: { name?: string; number?: number }): Upstream {
    const service = this.#lookups.service(namespace, name);
    if (!service) return new Upstream(key, [], { reason: 'ServiceNotFound', message: `Service "${namespace}/${name}" not found` });
    const port = (service.spec?.ports ?? []).find((p) => (want.name ? p.name === want.name : p.port === want.number));
    if (!port) {
      const which = want.name ? `named "${want.name}"` : String(want.number);
      return new Upstream(key, [], { reason: 'ServicePortNotFound', message: `Service "${namespace}/${name}" has no port ${which}` });
    }
    if (service.spec?.type === 'ExternalName' && service.spec.externalName) {
      return new Upstream(key, [{ host: service.spec.externalName, port: port.port }]);
    }
    return new Upstream(key, readyEndpoints(this.#lookups.slices(namespace, name), port));
  }
}

/** readyEndpoints collects the ready addresses of the slices' port matching a Service port, without duplicates. */
export function readyEndpoints(slices: readonly EndpointSlice[], port: ServicePort): Endpoint[] {
  const out: Endpoint[] = [];
  const seen = new Set<string>();
  const portName = port.name ?? '';
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    const sp = (slice.ports ?? []).find((p) => (p.name ?? '') === portName);
    if (!sp?.port) continue;
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      for (const host of ep.addresses ?? []) {
        const id = `${host}:${sp.port}`;
        if (seen.has(id)) continue;
        seen.add(id);
        out.push({ host, port: sp.port });
      }
    }
  }
  return out;
}
