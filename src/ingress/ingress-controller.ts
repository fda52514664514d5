// SPDX-License-Identifier: Apache-2.0
/**
 * The built-in Ingress controller: keeps Skiff's default IngressClass in
 * place, watches Ingresses, IngressClasses, Services, EndpointSlices and
 * Secrets, recompiles the routing table and the SNI certificates on every
 * change (debounced; the table is swapped whole, so a request never sees a
 * half-built one), writes `status.loadBalancer` on the Ingresses it serves
 * and reports what it cannot serve as Warning Events.
 */
import type { Secret, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { deepEqual, type KubeObject } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import { EventRecorder } from '../client/index.js';
import { InformerFactory, type SharedInformer } from '../client/index.js';
import { isAlreadyExists } from '../machinery/index.js';
import { BackendResolver, SERVICE_NAME_LABEL } from './backend-resolver.js';
import { selfSignedCertificate } from './default-certificate.js';
import { DEFAULT_CLASS_NAME, isOurIngress, newIngressClass, type IngressClassObj, type IngressObj } from './ingress-class.js';
import { IngressProxy } from './ingress-proxy.js';
import { buildRouteTable, type IngressProblem } from './route-table.js';
import { TLSStore } from './tls-store.js';
import { BoundedFrequencyRunner, ComponentLifecycle } from '../machinery/index.js';

/** COMPONENT is the Event source of this controller. */
export const COMPONENT = 'skiff-ingress-controller';
const BY_SERVICE = 'service';
const DEBOUNCE_MS = 20;

/** IngressControllerOptions configures the controller and its listeners. */
export interface IngressControllerOptions {
  /** httpPort defaults to 80; 0 picks a free port. */
  httpPort?: number;
  /** httpsPort defaults to 443; 0 picks a free port. */
  httpsPort?: number;
  /** bindAddress defaults to 0.0.0.0 (all of the node's addresses). */
  bindAddress?: string;
  /** nodeAddress is written to each served Ingress's status.loadBalancer. */
  nodeAddress: string;
  className?: string;
  log?: (msg: string) => void;
}

type Obj<T> = KubeObject & T;

/** IngressController is the component; build it with ingressController(). */
export class IngressController {
  readonly name = 'ingress-controller';
  readonly #client: Client;
  readonly #opts: IngressControllerOptions;
  readonly #recorder: EventRecorder;
  readonly #lifecycle = new ComponentLifecycle();
  #factory?: InformerFactory;
  #proxy?: IngressProxy;
  #rebuildRunner?: BoundedFrequencyRunner;
  /** reported: Ingress uid → problems already told as Events, so a rebuild does not repeat them. */
  #reported = new Map<string, Set<string>>();
  #statusInFlight = new Set<string>();
  #rebuilds = 0;

  constructor(client: Client, opts: IngressControllerOptions) {
    this.#client = client;
    this.#opts = opts;
    this.#recorder = new EventRecorder(client, COMPONENT, { log: opts.log });
  }

  /** httpPort and httpsPort are the bound ports once started. */
  get httpPort(): number {
    return this.#proxy?.httpPort ?? 0;
  }

  get httpsPort(): number {
    return this.#proxy?.httpsPort ?? 0;
  }

  /** rebuilds counts routing-table builds (tests wait on it). */
  get rebuilds(): number {
    return this.#rebuilds;
  }

  /** start listens, syncs the caches and builds the first table; it rejects when a port cannot be bound. */
  async start(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const run = this.#lifecycle.begin(signal);
    await this.#ensureClass();
    const tls = new TLSStore(await selfSignedCertificate());
    const proxy = new IngressProxy({ httpPort: this.#opts.httpPort ?? 80, httpsPort: this.#opts.httpsPort ?? 443, bindAddress: this.#opts.bindAddress ?? '0.0.0.0', tls, log: this.#opts.log });
    await proxy.listen();
    this.#proxy = proxy;
    const factory = (this.#factory = new InformerFactory(this.#client, { log: this.#opts.log }));
    const informers = [R.ingresses, R.ingressclasses, R.services, R.endpointslices, R.secrets].map((r) => factory.informer(r));
    informers[3].addIndexer(BY_SERVICE, (s) => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      return svc ? [`${s.metadata.namespace}/${svc}`] : [];
    });
    const runner = (this.#rebuildRunner = new BoundedFrequencyRunner(() => this.#rebuild(tls), { minIntervalMs: DEBOUNCE_MS, stopping: () => this.#lifecycle.stopping }));
    const kick = (): void => runner.run();
    for (const inf of informers) inf.addEventHandler({ onAdd: kick, onUpdate: kick, onDelete: kick });
    factory.start(run);
    if (await factory.waitForSync(run)) this.#rebuild(tls);
  }

  /** stop closes the listeners and ends the watches. */
  async stop(): Promise<void> {
    this.#lifecycle.stop();
    await this.#rebuildRunner?.stop();
    await this.#proxy?.close();
    await this.#factory?.stopped();
    await this.#recorder.flush();
  }

  async #ensureClass(): Promise<void> {
    try {
      await this.#client.create(R.ingressclasses, newIngressClass(this.#opts.className ?? DEFAULT_CLASS_NAME));
    } catch (err) {
      if (!isAlreadyExists(err)) this.#opts.log?.(`ingress: cannot create IngressClass: ${(err as Error).message}`);
    }
  }

  #informer<T>(ref: (typeof R)[keyof typeof R]): SharedInformer<Obj<T>> {
    return this.#factory!.informer<Obj<T>>(ref);
  }

  #rebuild(tls: TLSStore): void {
    const classes = this.#informer<IngressClassObj>(R.ingressclasses).list();
    const className = this.#opts.className ?? DEFAULT_CLASS_NAME;
    const ours = this.#informer<IngressObj>(R.ingresses).list().filter((i) => isOurIngress(i, classes, className));
    const services = this.#informer<Service>(R.services);
    const slices = this.#informer<EndpointSlice>(R.endpointslices);
    const secrets = this.#informer<Secret>(R.secrets);
    const resolver = new BackendResolver({
      service: (ns, name) => services.get(`${ns}/${name}`),
      slices: (ns, name) => slices.byIndex(BY_SERVICE, `${ns}/${name}`),
    });
    const { table, problems } = buildRouteTable({ ingresses: ours, resolve: (ns, b) => resolver.resolve(ns, b) });
    problems.push(...tls.update(table.tls, (ns, name) => secrets.get(`${ns}/${name}`)));
    this.#proxy!.table = table;
    this.#rebuilds++;
    this.#report(ours, problems);
    for (const ing of ours) this.#updateStatus(ing);
  }

  /** report records each new problem once as a Warning Event; a problem that went away may be reported again later. */
  #report(ours: readonly IngressObj[], problems: readonly IngressProblem[]): void {
    const now = new Map<string, Set<string>>();
    for (const ing of ours) now.set(ing.metadata.uid ?? '', new Set());
    for (const p of problems) {
      const uid = p.ingress.metadata.uid ?? '';
      const id = `${p.reason}\u0000${p.message}`;
      now.get(uid)?.add(id);
      if (this.#reported.get(uid)?.has(id)) continue;
      void this.#recorder.event(p.ingress, 'Warning', p.reason, p.message);
    }
    this.#reported = now;
  }

  #updateStatus(ing: IngressObj): void {
    const addr = this.#opts.nodeAddress;
    const want = [/^[\d.]+$|:/.test(addr) ? { ip: addr } : { hostname: addr }];
    if (deepEqual(ing.status?.loadBalancer?.ingress ?? [], want)) return;
    const key = `${ing.metadata.namespace}/${ing.metadata.name}`;
    if (this.#statusInFlight.has(key)) return;
    this.#statusInFlight.add(key);
    const patch = { status: { loadBalancer: { ingress: want } } };
    this.#client
      .patch(R.ingresses, ing.metadata.name!, 'merge', patch, { namespace: ing.metadata.namespace, subresource: 'status' })
      .catch((err: Error) => this.#opts.log?.(`ingress ${key}: status update failed: ${err.message}`))
      .finally(() => this.#statusInFlight.delete(key));
  }
}

/** ingressController builds the Ingress controller component (listening on the node's ports 80 and 443 unless told otherwise). */
export function ingressController(client: Client, opts: IngressControllerOptions): IngressController {
  return new IngressController(client, opts);
}
