// SPDX-License-Identifier: Apache-2.0
/**
 * The CRD controller, folding upstream's apiextensions naming, establishing
 * and finalizer controllers into one level-triggered reconciler over CRD
 * names: an accepted CRD gets NamesAccepted and Established conditions and
 * its served versions are registered as run-time definitions (so discovery,
 * OpenAPI and routing follow at once); a CRD being deleted is Terminating
 * until its custom resources are gone, then its finalizer is removed and its
 * definitions dropped.
 */
import type { KubeObject } from '../../api/index.js';
import { WorkQueue } from '../../client/index.js';
import { isNotFound } from '../../machinery/index.js';
import type { DefinitionRegistry } from '../definitions/index.js';
import type { APIRegistry } from '../registry/api-registry.js';
import { newContext, SYSTEM_USER } from '../registry/request-context.js';
import { rfc3339 } from '../registry/resource-registry.js';
import { customResourceDefinitions, storageVersionOf } from './cr-definitions.js';
import { acceptNames } from './names.js';
import { registryEnvironment } from '../admission/webhook/environment.js';
import type { ServiceResolver } from '../admission/webhook/client.js';
import { CRD_CLEANUP_FINALIZER, CRD_GROUP, type CustomResourceDefinition } from './types.js';

interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason: string;
  message: string;
}

/** How long to wait before looking again at a CRD whose custom resources are still finalizing. */
const CLEANUP_RETRY_MS = 1000;

export class CRDController {
  readonly #api: APIRegistry;
  readonly #defs: DefinitionRegistry;
  readonly #queue = new WorkQueue();
  readonly #log: (msg: string) => void;
  /** Served URLs (`group/version/plural`) per CRD name, to drop what a CRD no longer serves. */
  readonly #served = new Map<string, { group: string; version: string; plural: string }[]>();
  #abort = new AbortController();
  /** resolveService reaches a conversion webhook behind a Service (the admission webhooks' resolver). */
  readonly #resolveService: ServiceResolver;

  constructor(api: APIRegistry, log: (msg: string) => void = () => {}) {
    this.#api = api;
    this.#defs = api.definitions;
    this.#resolveService = registryEnvironment(api).resolveService;
    this.#log = log;
  }

  /** start serves every stored CRD before it returns (the server is not ready before), then follows changes. */
  async start(): Promise<void> {
    const reg = this.#api.require(CRD_GROUP, 'v1', 'customresourcedefinitions');
    const ctx = newContext(SYSTEM_USER);
    const list = await reg.list(ctx, {});
    for (const crd of list.items) await this.#reconcileLogged(crd.metadata.name!);
    const signal = this.#abort.signal;
    void this.#follow(list.metadata.resourceVersion ?? '0', signal);
    void this.#work();
  }

  stop(): void {
    this.#abort.abort();
    this.#queue.shutDown();
  }

  async #follow(rv: string, signal: AbortSignal): Promise<void> {
    const reg = this.#api.require(CRD_GROUP, 'v1', 'customresourcedefinitions');
    let from = rv;
    while (!signal.aborted) {
      try {
        for await (const ev of reg.watch(newContext(SYSTEM_USER), { resourceVersion: from, allowBookmarks: true, timeoutSeconds: 3600 }, signal)) {
          from = ev.object.metadata.resourceVersion ?? from;
          if (ev.type !== 'BOOKMARK' && ev.type !== 'ERROR') this.#queue.add(ev.object.metadata.name!);
        }
      } catch (err) {
        if (signal.aborted) return;
        this.#log(`crd-controller: watch ended (${(err as Error).message}); relisting`);
        const list = await reg.list(newContext(SYSTEM_USER), {}).catch(() => undefined);
        if (list) {
          from = list.metadata.resourceVersion ?? from;
          for (const crd of list.items) this.#queue.add(crd.metadata.name!);
          for (const name of this.#served.keys()) this.#queue.add(name);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  async #work(): Promise<void> {
    for (;;) {
      const name = await this.#queue.get();
      if (name === undefined) return;
      try {
        await this.#reconcile(name);
        this.#queue.forget(name);
      } catch (err) {
        this.#log(`crd-controller: error syncing ${name} (retrying): ${(err as Error).message}`);
        this.#queue.addRateLimited(name);
      } finally {
        this.#queue.done(name);
      }
    }
  }

  async #reconcileLogged(name: string): Promise<void> {
    try {
      await this.#reconcile(name);
    } catch (err) {
      this.#log(`crd-controller: error syncing ${name}: ${(err as Error).message}`);
      this.#queue.add(name);
    }
  }

  /** reconcile makes what is served match one stored CRD. */
  async #reconcile(name: string): Promise<void> {
    const reg = this.#api.require(CRD_GROUP, 'v1', 'customresourcedefinitions');
    const ctx = newContext(SYSTEM_USER);
    let obj: KubeObject;
    try {
      obj = await reg.get(ctx, name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.#unserve(name);
      return;
    }
    const crd = obj as unknown as CustomResourceDefinition;
    if (obj.metadata.deletionTimestamp) return this.#finalize(name, crd);
    const names = acceptNames(crd, this.#defs);
    const conditions = nextConditions(crd, names.accepted, names.reason, names.message);
    const status = {
      ...(crd.status ?? {}),
      conditions,
      acceptedNames: names.accepted ? acceptedNamesOf(crd) : (crd.status?.acceptedNames ?? { plural: '', kind: '' }),
      storedVersions: crd.status?.storedVersions ?? [storageVersionOf(crd)],
    };
    if (names.accepted) this.#serve(name, crd);
    else this.#unserve(name);
    if (JSON.stringify(status) !== JSON.stringify(crd.status)) {
      await reg.patchWith(ctx, name, (cur) => ({ ...cur, status: { ...status, conditions: mergeConditions((cur.status as { conditions?: Condition[] } | undefined)?.conditions, conditions) } }), 'status');
    }
  }

  #serve(name: string, crd: CustomResourceDefinition): void {
    const defs = customResourceDefinitions(crd, this.#resolveService);
    const urls = defs.map((d) => ({ group: d.info.group, version: d.info.version, plural: d.info.plural }));
    for (const old of this.#served.get(name) ?? []) {
      if (!urls.some((u) => u.group === old.group && u.version === old.version && u.plural === old.plural)) this.#defs.remove(old.group, old.version, old.plural);
    }
    for (const d of defs) this.#defs.add(d);
    this.#served.set(name, urls);
  }

  #unserve(name: string): void {
    for (const u of this.#served.get(name) ?? []) this.#defs.remove(u.group, u.version, u.plural);
    this.#served.delete(name);
  }

  /** finalize deletes every custom resource of a CRD being deleted, then lets the CRD go. */
  async #finalize(name: string, crd: CustomResourceDefinition): Promise<void> {
    const reg = this.#api.require(CRD_GROUP, 'v1', 'customresourcedefinitions');
    const ctx = newContext(SYSTEM_USER);
    if (!crd.metadata?.finalizers?.includes(CRD_CLEANUP_FINALIZER)) return;
    const terminating: Condition = { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' };
    const conditions = (crd.status?.conditions ?? []) as Condition[];
    if (!conditions.some((c) => c.type === 'Terminating' && c.status === 'True')) {
      await reg.patchWith(ctx, name, (cur) => ({ ...cur, status: { ...(cur.status as object), conditions: mergeConditions((cur.status as { conditions?: Condition[] }).conditions, [{ ...terminating, lastTransitionTime: rfc3339(new Date()) }]) } }), 'status');
    }
    const storage = this.#api.lookup(crd.spec.group, storageVersionOf(crd), crd.spec.names.plural)
      ?? this.#api.lookup(crd.spec.group, crd.spec.versions.find((v) => v.served)?.name ?? '', crd.spec.names.plural);
    if (storage) {
      await storage.deleteCollection(ctx, {}, {});
      const left = await storage.list(ctx, {});
      if (left.items.length > 0) {
        this.#queue.addAfter(name, CLEANUP_RETRY_MS);
        return;
      }
    }
    this.#unserve(name);
    await reg.patchWith(ctx, name, (cur) => {
      cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
      return cur;
    });
  }
}

function acceptedNamesOf(crd: CustomResourceDefinition): Record<string, unknown> {
  const n = crd.spec.names;
  return {
    plural: n.plural,
    singular: n.singular ?? n.kind.toLowerCase(),
    ...(n.shortNames?.length ? { shortNames: n.shortNames } : {}),
    kind: n.kind,
    listKind: n.listKind ?? `${n.kind}List`,
    ...(n.categories?.length ? { categories: n.categories } : {}),
  };
}

/** nextConditions computes NamesAccepted and Established, keeping transition times that did not change. */
function nextConditions(crd: CustomResourceDefinition, accepted: boolean, reason: string, message: string): Condition[] {
  const now = rfc3339(new Date());
  const wanted: Condition[] = [
    { type: 'NamesAccepted', status: accepted ? 'True' : 'False', reason, message },
    accepted
      ? { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }
      : { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' },
  ];
  const old = (crd.status?.conditions ?? []) as Condition[];
  return mergeConditions(old, wanted.map((c) => {
    const prev = old.find((o) => o.type === c.type);
    return { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now };
  }));
}

/** mergeConditions replaces conditions of the same type, keeping the others in place. */
function mergeConditions(old: Condition[] | undefined, updates: Condition[]): Condition[] {
  const out = [...(old ?? [])];
  for (const u of updates) {
    const i = out.findIndex((c) => c.type === u.type);
    if (i >= 0) out[i] = u;
    else out.push(u);
  }
  return out;
}
