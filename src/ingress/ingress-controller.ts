// SPDX-License-Identifier: Apache-2.0
/**
 * The built-in Ingress controller, in the ingress-nginx model: it keeps
 * Skiff's default IngressClass in place, watches Ingresses, IngressClasses,
 * Services, EndpointSlices and Secrets, recompiles the routing table and
 * the SNI certificates on every change (debounced), and hands them to the
 * data plane, nginx, which it supervises (see nginx-data-plane.ts): nginx
 * reloads gracefully, so requests in flight finish on the old workers. It
 * writes `status.loadBalancer` on the Ingresses it serves and reports what
 * it cannot serve (and configurations nginx rejects) as Warning Events.
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
import { NginxDataPlane } from './nginx-data-plane.js';
import { buildRouteTable, RouteTable, type IngressProblem } from './route-table.js';
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
  /** dataDir is the directory of the data plane's files (nginx.conf, certificates, pid, log), in the agent's data dir. */
  dataDir: string;
  /** nginxBinary defaults to nginx on PATH. */
  nginxBinary?: string;
  /** workerProcesses of nginx, default `auto` (one per CPU). */
  workerProcesses?: number | 'auto';
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
  #dataPlane?: NginxDataPlane;
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
    return this.#dataPlane?.httpPort ?? 0;
  }

  get httpsPort(): number {
    return this.#dataPlane?.httpsPort ?? 0;
  }

  /** dataPlane is the supervised nginx (tests read its pid and reloads). */
  get dataPlane(): NginxDataPlane | undefined {
    return this.#dataPlane;
  }

  /** rebuilds counts routing-table builds (tests wait on it). */
  get rebuilds(): number {
    return this.#rebuilds;
  }

  /** start starts nginx, syncs the caches and applies the first table; it rejects when a port is taken (EADDRINUSE) or nginx is missing (ENOENT). */
  async start(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const run = this.#lifecycle.begin(signal);
    await this.#ensureClass();
    const tls = new TLSStore(await selfSignedCertificate());
    const o = this.#opts;
    const dataPlane = new NginxDataPlane({
      dir: o.dataDir, httpPort: o.httpPort ?? 80, httpsPort: o.httpsPort ?? 443, bindAddress: o.bindAddress ?? '0.0.0.0',
      nginxBinary: o.nginxBinary, workerProcesses: o.workerProcesses, log: o.log, onExit: (how) => this.#dataPlaneExited(how),
    });
    this.#dataPlane = dataPlane;
    await dataPlane.start(new RouteTable(new Map(), new Map()), tls);
    const factory = (this.#factory = new InformerFactory(this.#client, { log: this.#opts.log }));
    const informers = [R.ingresses, R.ingressclasses, R.services, R.endpointslices, R.secrets].map((r) => factory.informer(r));
    informers[3].addIndexer(BY_SERVICE, (s) => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      return svc ? [`${s.metadata.namespace}/${svc}`] : [];
    });
    const runner = (this.#rebuildRunner = new BoundedFrequencyRunner(() => this.#rebuild(tls), {
      minIntervalMs: DEBOUNCE_MS, stopping: () => this.#lifecycle.stopping,
      onError: (err) => {
        this.#opts.log?.(`ingress: applying the configuration failed: ${err.message}`);
        runner.retryAfter(1000);
      },
    }));
    const kick = (): void => runner.run();
    for (const inf of informers) inf.addEventHandler({ onAdd: kick, onUpdate: kick, onDelete: kick });
    factory.start(run);
    if (await factory.waitForSync(run)) await runner.runNow();
  }

  /** stop closes the listeners and ends the watches. */
  async stop(): Promise<void> {
    this.#lifecycle.stop();
    await this.#rebuildRunner?.stop();
    await this.#dataPlane?.stop();
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

  /**
   * rebuild compiles the table and applies it. When nginx rejects a line it
   * attributes to one Ingress, that Ingress is left out and the rest applied,
   * so one bad Ingress (a path PCRE refuses) does not hold back the others.
   */
  async #rebuild(tls: TLSStore): Promise<void> {
    const classes = this.#informer<IngressClassObj>(R.ingressclasses).list();
    const className = this.#opts.className ?? DEFAULT_CLASS_NAME;
    const ours = this.#informer<IngressObj>(R.ingresses).list().filter((i) => isOurIngress(i, classes, className));
    const excluded = new Map<string, string>();
    for (;;) {
      const serving = ours.filter((i) => !excluded.has(keyOf(i)));
      const { problems, error, culprit } = await this.#apply(serving, tls);
      if (culprit && !excluded.has(culprit) && serving.some((i) => keyOf(i) === culprit)) {
        excluded.set(culprit, error ?? '');
        continue;
      }
      for (const [key, message] of excluded) {
        const ing = ours.find((i) => keyOf(i) === key)!;
        problems.push({ ingress: ing, reason: 'ConfigurationRejected', message: `nginx rejects the configuration of this Ingress, which is not served: ${message}` });
      }
      if (error && !culprit) for (const ing of serving) problems.push({ ingress: ing, reason: 'ConfigurationRejected', message: `nginx rejects the configuration; the previous one stays in effect: ${error}` });
      this.#rebuilds++;
      this.#report(ours, problems);
      for (const ing of ours) if (!excluded.has(keyOf(ing))) this.#updateStatus(ing);
      return;
    }
  }

  async #apply(ours: readonly IngressObj[], tls: TLSStore): Promise<{ problems: IngressProblem[]; error?: string; culprit?: string }> {
    const services = this.#informer<Service>(R.services);
    const slices = this.#informer<EndpointSlice>(R.endpointslices);
    const secrets = this.#informer<Secret>(R.secrets);
    const resolver = new BackendResolver({
      service: (ns, name) => services.get(`${ns}/${name}`),
      slices: (ns, name) => slices.byIndex(BY_SERVICE, `${ns}/${name}`),
    });
    const { table, problems } = buildRouteTable({ ingresses: ours, resolve: (ns, b) => resolver.resolve(ns, b) });
    problems.push(...tls.update(table.tls, (ns, name) => secrets.get(`${ns}/${name}`)));
    const result = await this.#dataPlane!.apply(table, tls);
    for (const s of result.skipped) {
      const ing = ours.find((i) => keyOf(i) === s.ingress);
      if (ing) problems.push({ ingress: ing, reason: 'InvalidPath', message: s.message });
    }
    return { problems, error: result.error, culprit: result.culprit };
  }

  /** dataPlaneExited tells every served Ingress that nginx died (the supervisor restarts it on the last good configuration). */
  #dataPlaneExited(how: string): void {
    const ours = this.#factory ? this.#informer<IngressObj>(R.ingresses).list() : [];
    for (const ing of ours) if (this.#reported.has(ing.metadata.uid ?? '')) void this.#recorder.event(ing, 'Warning', 'NginxExited', `${how}; restarting it`);
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

function keyOf(ing: IngressObj): string {
  return `${ing.metadata.namespace}/${ing.metadata.name}`;
}

/** ingressController builds the Ingress controller component (listening on the node's ports 80 and 443 unless told otherwise). */
export function ingressController(client: Client, opts: IngressControllerOptions): IngressController {
  return new IngressController(client, opts);
}
