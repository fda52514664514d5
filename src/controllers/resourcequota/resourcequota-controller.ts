// SPDX-License-Identifier: Apache-2.0
/**
 * The resource quota controller, after upstream pkg/controller/resourcequota:
 * keeps every ResourceQuota's status.hard equal to spec.hard and
 * status.used equal to what the namespace's objects cost, recomputed when
 * a counted object changes and on a full resync (upstream: 5 minutes). The
 * admission plugin charges creations optimistically; this controller
 * corrects the charge to what really exists.
 */
import type { KubeObject } from '../../api/index.js';
import { deepClone, deepEqual } from '../../api/index.js';
import { Quantity } from '../../api/index.js';
import { R, type Client, type ResourceRef } from '../../client/index.js';
import { keyOf, type InformerFactory, type SharedInformer } from '../../client/index.js';
import { systemClock, type Clock } from '../../client/index.js';
import { isNotFound } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';
import { addInto, kindsFor, matchesScopes, usageOf, type QuotaSpec, type ResourceList } from '../../api/index.js';

/** DEFAULT_QUOTA_RESYNC_MS is --resource-quota-sync-period (5 minutes). */
export const DEFAULT_QUOTA_RESYNC_MS = 5 * 60_000;

/** WATCHED are the kinds whose changes recompute quotas at once (upstream's quota monitors for the core evaluators). */
const WATCHED: ResourceRef[] = [R.pods, R.services, R.configmaps, R.secrets, R.persistentvolumeclaims, R.replicationcontrollers, R.resourcequotas];

/** ResourceQuotaControllerOptions are the dependencies of the quota controller. */
export interface ResourceQuotaControllerOptions {
  client: Client;
  factory: InformerFactory;
  clock?: Clock;
  log?: (msg: string) => void;
  resyncMs?: number;
}

interface QuotaStatus {
  hard?: Record<string, string>;
  used?: Record<string, string>;
}

/** ResourceQuotaController computes ResourceQuota status. */
export class ResourceQuotaController extends Reconciler {
  readonly #client: Client;
  readonly #resyncMs: number;
  readonly #quotas: SharedInformer;
  readonly #watched = new Map<string, SharedInformer>();

  constructor(opts: ResourceQuotaControllerOptions) {
    super({ name: 'resourcequota', clock: opts.clock ?? systemClock, log: opts.log });
    this.#client = opts.client;
    this.#resyncMs = opts.resyncMs ?? DEFAULT_QUOTA_RESYNC_MS;
    this.#quotas = opts.factory.informer(R.resourcequotas);
    this.#quotas.addEventHandler({
      onAdd: (q) => this.enqueue(keyOf(q)),
      onUpdate: (old, q) => {
        if (!deepEqual(old.spec, q.spec) || !deepEqual((q.status as QuotaStatus | undefined)?.hard, (q.spec as QuotaSpec | undefined)?.hard)) this.enqueue(keyOf(q));
      },
    });
    for (const ref of WATCHED) {
      const inf = opts.factory.informer(ref);
      this.#watched.set(`${ref.group}/${ref.resource}`, inf);
      if (ref === R.resourcequotas) continue;
      const touch = (o: KubeObject): void => this.#namespaceChanged(o.metadata.namespace ?? '');
      inf.addEventHandler({ onAdd: touch, onUpdate: (_o, n) => touch(n), onDelete: touch });
    }
  }

  #namespaceChanged(ns: string): void {
    for (const q of this.#quotas.listNamespace(ns)) this.enqueue(keyOf(q));
  }

  /** sync recomputes one quota's status and schedules the next full resync. */
  async sync(key: string): Promise<void> {
    const quota = this.#quotas.get(key);
    if (!quota) return;
    const spec = (quota.spec ?? {}) as QuotaSpec;
    const hard = spec.hard ?? {};
    const used = await this.#usage(quota.metadata.namespace ?? '', spec, Object.keys(hard));
    const status: QuotaStatus = { hard: { ...hard }, used: {} };
    for (const name of Object.keys(hard)) status.used![name] = (used[name] ?? Quantity.fromValue(0)).toString();
    if (!deepEqual(quota.status, status)) {
      const copy = deepClone(quota);
      copy.status = status;
      try {
        await this.#client.update(R.resourcequotas, copy, { namespace: quota.metadata.namespace, subresource: 'status' });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    this.queue.addAfter(key, this.#resyncMs);
  }

  /** usage sums the cost of the namespace's objects of every kind the quota names. */
  async #usage(ns: string, spec: QuotaSpec, names: string[]): Promise<ResourceList> {
    const total: ResourceList = {};
    for (const ref of kindsFor(names)) {
      const inf = this.#watched.get(`${ref.group}/${ref.resource}`);
      const objects = inf ? inf.listNamespace(ns) : (await this.#client.list(ref, { namespace: ns })).items;
      const kind = { group: ref.group, plural: ref.resource };
      for (const o of objects) if (matchesScopes(spec, kind, o)) addInto(total, usageOf(kind, o));
    }
    return total;
  }
}
