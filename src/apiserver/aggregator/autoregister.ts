// SPDX-License-Identifier: Apache-2.0
/**
 * Local APIServices for what this server serves itself, as kube-apiserver's
 * autoregister and crdRegistration controllers keep them: every built-in
 * group/version (and code-served ones such as metrics.k8s.io) is registered
 * once when first served (`automanaged: onstart`: a user may then replace
 * it, e.g. to point metrics.k8s.io at a metrics-server), and every custom
 * resource group/version is kept while a CRD serves it (`automanaged: true`:
 * removed with the CRD). Priorities are upstream's table; CRDs get 1000/100.
 */
import { Reconciler, type Client, type SharedInformer } from '../../client/index.js';
import { isAlreadyExists, isNotFound } from '../../machinery/index.js';
import { APISERVICES } from './available-controller.js';
import { apiServiceName, APIREGISTRATION_GROUP, AUTOMANAGED_LABEL, type APIService } from './types.js';

/** LocalGroupVersion is a group/version this server serves; `custom` ones come from CRDs. */
export interface LocalGroupVersion {
  group: string;
  version: string;
  custom: boolean;
}

/** Upstream's group and version priorities of the built-in APIServices (kube-apiserver's aggregator.go). */
const PRIORITIES: Record<string, [group: number, version: number]> = {
  'v1.': [18000, 1],
  'v1.apps': [17800, 15],
  'v1.events.k8s.io': [17750, 15],
  'v1.authentication.k8s.io': [17700, 15],
  'v1.authorization.k8s.io': [17600, 15],
  'v1.autoscaling': [17500, 15],
  'v2.autoscaling': [17500, 30],
  'v1.batch': [17400, 15],
  'v1.certificates.k8s.io': [17300, 15],
  'v1.networking.k8s.io': [17200, 15],
  'v1.policy': [17100, 15],
  'v1.rbac.authorization.k8s.io': [17000, 15],
  'v1.storage.k8s.io': [16800, 15],
  'v1.apiextensions.k8s.io': [16700, 15],
  'v1.admissionregistration.k8s.io': [16700, 15],
  'v1.scheduling.k8s.io': [16600, 15],
  'v1.coordination.k8s.io': [16500, 15],
  'v1.node.k8s.io': [16300, 15],
  'v1.discovery.k8s.io': [16200, 15],
  'v1.flowcontrol.apiserver.k8s.io': [16100, 21],
  'v1.apiregistration.k8s.io': [18000, 1],
  // metrics-server registers metrics.k8s.io with these.
  'v1beta1.metrics.k8s.io': [100, 100],
};

/** desiredAPIService is the Local APIService of one group/version. */
export function desiredAPIService(gv: LocalGroupVersion): APIService {
  const name = apiServiceName(gv.group, gv.version);
  const [groupPriorityMinimum, versionPriority] = gv.custom ? [1000, 100] : (PRIORITIES[name] ?? [1000, 15]);
  return {
    apiVersion: `${APIREGISTRATION_GROUP}/v1`,
    kind: 'APIService',
    metadata: { name, labels: { [AUTOMANAGED_LABEL]: gv.custom ? 'true' : 'onstart' } },
    spec: { group: gv.group, version: gv.version, groupPriorityMinimum, versionPriority },
  };
}

export interface AutoRegisterOptions {
  client: Client;
  apiServices: SharedInformer<APIService>;
  /** local lists what this server serves now. */
  local(): LocalGroupVersion[];
  log?: (msg: string) => void;
}

export class AutoRegisterController extends Reconciler {
  readonly #o: AutoRegisterOptions;
  /** Names registered on start in this process's life: a user's deletion of one is not undone. */
  readonly #registeredOnStart = new Set<string>();

  constructor(o: AutoRegisterOptions) {
    super({ name: 'autoregister', log: o.log });
    this.#o = o;
    const managed = (s: APIService): void => {
      if (s.metadata.labels?.[AUTOMANAGED_LABEL]) this.enqueue(s.metadata.name!);
    };
    o.apiServices.addEventHandler({ onAdd: managed, onUpdate: (_, s) => managed(s), onDelete: managed });
  }

  /** resync queues every served group/version (call when what the server serves changed). */
  resync(): void {
    for (const gv of this.#o.local()) this.enqueue(apiServiceName(gv.group, gv.version));
    // Those no longer served too: a removed CRD's group/version is no longer in local().
    for (const s of this.#o.apiServices.list()) if (s.metadata.labels?.[AUTOMANAGED_LABEL] === 'true') this.enqueue(s.metadata.name!);
  }

  async sync(name: string): Promise<void> {
    const gv = this.#o.local().find((x) => apiServiceName(x.group, x.version) === name);
    const existing = this.#o.apiServices.get(name);
    const managedAlways = existing?.metadata.labels?.[AUTOMANAGED_LABEL] === 'true';
    if (!gv) {
      // A CRD group/version no longer served: its APIService goes, as crdRegistration removes it.
      if (existing && managedAlways) await this.#o.client.delete(APISERVICES, name).catch((err) => { if (!isNotFound(err)) throw err; });
      return;
    }
    if (existing && !gv.custom) this.#registeredOnStart.add(name);
    if (existing || (!gv.custom && this.#registeredOnStart.has(name))) return;
    try {
      await this.#o.client.create(APISERVICES, desiredAPIService(gv));
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    if (!gv.custom) this.#registeredOnStart.add(name);
  }
}

/** localGroupVersions lists what a server serves: its definitions' group/versions (custom when not built-in) and code-served groups. */
export function localGroupVersions(defs: { servedGroups(): { group: string; versions: string[] }[]; isBuiltinGroup(group: string): boolean }, extensions: readonly { group: string; version: string }[]): LocalGroupVersion[] {
  const out: LocalGroupVersion[] = defs.servedGroups().flatMap((g) => g.versions.map((version) => ({ group: g.group, version, custom: !defs.isBuiltinGroup(g.group) })));
  for (const e of extensions) if (!out.some((gv) => gv.group === e.group && gv.version === e.version)) out.push({ group: e.group, version: e.version, custom: false });
  return out;
}
