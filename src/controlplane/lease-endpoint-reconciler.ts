// SPDX-License-Identifier: Apache-2.0
/**
 * The `kubernetes` Service's endpoints follow the live API servers, as
 * upstream's lease endpoint reconciler (pkg/controlplane/reconcilers, the
 * default --endpoint-reconciler-type) does: every server keeps a lease of
 * its own (15 s, renewed every 10 s) naming its advertise address, and
 * writes the `default/kubernetes` Endpoints and EndpointSlice as the
 * addresses of the leases still live. Where upstream keeps those leases as
 * etcd keys with a TTL under /registry/masterleases, these are
 * coordination.k8s.io Leases in kube-system labelled as apiserver identity
 * leases (apiserver.kubernetes.io/identity=kube-apiserver), so they work on
 * every storage backend and `kubectl get leases -n kube-system` shows them.
 * A server that stops cleanly deletes its lease and removes itself at once;
 * one that dies drops out when its lease expires.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../api/index.js';
import { R, type Client, type ResourceRef } from '../client/index.js';
import { isAlreadyExists, isNotFound, StatusError } from '../machinery/index.js';
import { ComponentLifecycle, type Component } from '../machinery/index.js';

export const IDENTITY_LABEL = 'apiserver.kubernetes.io/identity';
/** ENDPOINT_ANNOTATION carries the server's advertised address:port on its lease. */
export const ENDPOINT_ANNOTATION = 'skiff.dev/apiserver-endpoint';
/** Upstream's DefaultEndpointReconcilerInterval and TTL. */
export const DEFAULT_INTERVAL_MS = 10_000;
export const DEFAULT_TTL_MS = 15_000;

export interface LeaseEndpointReconcilerOptions {
  client: Client;
  /** identity names this server (the lease holder). */
  identity: string;
  advertiseAddress: string;
  apiPort: number;
  intervalMs?: number;
  ttlMs?: number;
  log?: (msg: string) => void;
}

type Lease = KubeObject & { spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string } };

function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/(\.\d{3})Z$/, '$1000Z');
}

/** LeaseEndpointReconciler keeps this server's lease fresh and the `kubernetes` endpoints equal to the live servers. */
export class LeaseEndpointReconciler implements Component {
  readonly name = 'apiserver-endpoint-reconciler';
  readonly #o: LeaseEndpointReconcilerOptions;
  readonly #lifecycle = new ComponentLifecycle();
  readonly #leaseName: string;
  #timer?: NodeJS.Timeout;

  constructor(o: LeaseEndpointReconcilerOptions) {
    this.#o = o;
    // Upstream names identity leases after a hash; one per server identity here.
    this.#leaseName = `apiserver-${createHash('sha256').update(o.identity).digest('hex').slice(0, 26)}`;
  }

  async start(signal: AbortSignal): Promise<void> {
    const run = this.#lifecycle.begin(signal);
    await this.reconcile();
    const tick = () => {
      if (run.aborted) return;
      this.reconcile().catch((err) => this.#o.log?.(`apiserver endpoints: ${(err as Error).message}`)).finally(() => {
        if (!run.aborted) this.#timer = setTimeout(tick, this.#o.intervalMs ?? DEFAULT_INTERVAL_MS);
      });
    };
    this.#timer = setTimeout(tick, this.#o.intervalMs ?? DEFAULT_INTERVAL_MS);
  }

  /** stop removes this server from the endpoints right away, as upstream's RemoveEndpoints on shutdown. */
  async stop(): Promise<void> {
    this.#lifecycle.stop();
    clearTimeout(this.#timer);
    try {
      await this.#o.client.delete(R.leases, this.#leaseName, { namespace: 'kube-system' });
      await this.#writeEndpoints(await this.#liveEndpoints());
    } catch (err) {
      if (!isNotFound(err)) this.#o.log?.(`apiserver endpoints: removing ${this.#o.advertiseAddress}: ${(err as Error).message}`);
    }
  }

  /** reconcile renews this server's lease, then writes the endpoints of every live one. */
  async reconcile(): Promise<void> {
    await this.#renew();
    await this.#writeEndpoints(await this.#liveEndpoints());
  }

  async #renew(): Promise<void> {
    const { client, identity, advertiseAddress, apiPort } = this.#o;
    const spec = { holderIdentity: identity, leaseDurationSeconds: Math.ceil((this.#o.ttlMs ?? DEFAULT_TTL_MS) / 1000), renewTime: microTime(Date.now()) };
    const metadata = { name: this.#leaseName, namespace: 'kube-system', labels: { [IDENTITY_LABEL]: 'kube-apiserver' }, annotations: { [ENDPOINT_ANNOTATION]: `${advertiseAddress}:${apiPort}` } };
    try {
      const cur = await client.get<Lease>(R.leases, this.#leaseName, { namespace: 'kube-system' });
      await client.update(R.leases, { ...cur, metadata: { ...cur.metadata, labels: { ...cur.metadata.labels, ...metadata.labels }, annotations: { ...cur.metadata.annotations, ...metadata.annotations } }, spec: { ...cur.spec, ...spec } }, { namespace: 'kube-system' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await client.create(R.leases, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata, spec }, { namespace: 'kube-system' });
    }
  }

  /** liveEndpoints lists the address:port of every identity lease not yet expired, sorted. */
  async #liveEndpoints(): Promise<{ ip: string; port: number }[]> {
    const leases = await this.#o.client.list<Lease>(R.leases, { namespace: 'kube-system', labelSelector: `${IDENTITY_LABEL}=kube-apiserver` });
    const now = Date.now();
    const live = new Set<string>();
    for (const l of leases.items) {
      const endpoint = l.metadata.annotations?.[ENDPOINT_ANNOTATION];
      const renewed = Date.parse(l.spec?.renewTime ?? '');
      if (!endpoint || Number.isNaN(renewed)) continue;
      if (renewed + (l.spec?.leaseDurationSeconds ?? 15) * 1000 < now) continue;
      live.add(endpoint);
    }
    return [...live].sort().map((e) => {
      const i = e.lastIndexOf(':');
      return { ip: e.slice(0, i), port: Number(e.slice(i + 1)) };
    });
  }

  /**
   * writeEndpoints writes Endpoints (one subset per port) and the EndpointSlice
   * (the addresses on the first port in sorted order), deterministically, so
   * servers that see the same leases write the same objects and never fight.
   */
  async #writeEndpoints(endpoints: { ip: string; port: number }[]): Promise<void> {
    const ports = [...new Set(endpoints.map((e) => e.port))];
    const subsets = ports.map((port) => ({ addresses: endpoints.filter((e) => e.port === port).map((e) => ({ ip: e.ip })), ports: [{ name: 'https', port, protocol: 'TCP' }] }));
    await this.#replace(R.endpoints, { metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }, subsets }, ['subsets']);
    const slicePort = ports[0] ?? this.#o.apiPort;
    await this.#replace(R.endpointslices, {
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: endpoints.filter((e) => e.port === slicePort).map((e) => ({ addresses: [e.ip], conditions: { ready: true } })),
      ports: [{ name: 'https', port: slicePort, protocol: 'TCP' }],
    }, ['endpoints', 'ports']);
  }

  async #replace(ref: ResourceRef, obj: KubeObject, fields: string[]): Promise<void> {
    const { client } = this.#o;
    try {
      const cur = await client.get(ref, obj.metadata.name!, { namespace: 'default' });
      if (JSON.stringify(fields.map((f) => cur[f] ?? [])) === JSON.stringify(fields.map((f) => obj[f]))) return;
      const next = structuredClone(cur) as KubeObject;
      for (const f of fields) next[f] = obj[f];
      await client.update(ref, next, { namespace: 'default' });
    } catch (err) {
      if (err instanceof StatusError && err.code === 409) return; // another server wrote first; the next round compares again
      if (!isNotFound(err)) throw err;
      try {
        await client.create(ref, obj, { namespace: 'default' });
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
    }
  }
}
