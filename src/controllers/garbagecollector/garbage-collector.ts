// SPDX-License-Identifier: Apache-2.0
/**
 * The garbage collector, after upstream pkg/controller/garbagecollector: it
 * keeps a graph of ownerReferences from informers on every listable
 * resource, and
 * - deletes an object whose owners are all gone (checked by uid against the
 *   cache, then confirmed by a live GET, since informers of different
 *   resources are not in step), with background propagation;
 * - drops references to vanished owners when other owners remain;
 * - for an owner with the `foregroundDeletion` finalizer, deletes its
 *   dependents and removes the finalizer once the blocking ones are gone;
 * - for an owner with the `orphan` finalizer, removes the references to it
 *   from its dependents, then the finalizer.
 * The work queue holds object uids. Served resources are rediscovered every
 * few seconds (upstream resyncs discovery every 30 s), so custom resources
 * join the graph once their CRD is established.
 */
import type { KubeObject, OwnerReference } from '../../api/index.js';
import { RESOURCES, apiVersionOf, type ResourceInfo } from '../../api/index.js';
import type { Client, ResourceRef } from '../../client/index.js';
import { type InformerFactory, type SharedInformer } from '../../client/index.js';
import type { Clock } from '../../client/index.js';
import { isNotFound } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';

/** Node is one object in the ownership graph. */
interface Node {
  uid: string;
  info: ResourceInfo;
  namespace: string;
  name: string;
  owners: OwnerReference[];
}

/** GarbageCollectorOptions are the dependencies of the GarbageCollector. */
export interface GarbageCollectorOptions {
  client: Client;
  factory: InformerFactory;
  clock?: Clock;
  log?: (msg: string) => void;
}

/** How often the served resources are listed again to watch new ones (custom resources). */
const REDISCOVER_MS = 2000;

/** gcResources lists the resources the collector watches: each storage location once, events excluded. */
export function gcResources(served: readonly ResourceInfo[] = RESOURCES): ResourceInfo[] {
  return served.filter((r) => r.verbs.includes('list') && r.verbs.includes('watch') && r.verbs.includes('delete') && r.storage.resource !== 'events' && r.storage.group === r.group && r.storage.version === r.version);
}

function refOf(info: ResourceInfo): ResourceRef {
  return { group: info.group, version: info.version, resource: info.plural };
}

/** GarbageCollector deletes dependents of deleted owners; see the file comment. */
export class GarbageCollector extends Reconciler {
  readonly #client: Client;
  readonly #factory: InformerFactory;
  /** informers by `group/version/plural`. */
  readonly #informers = new Map<string, SharedInformer>();
  #served: readonly ResourceInfo[] = RESOURCES;
  readonly #nodes = new Map<string, Node>();
  /** dependents maps an owner uid to the uids of objects that reference it. */
  readonly #dependents = new Map<string, Set<string>>();

  constructor(opts: GarbageCollectorOptions) {
    super({ name: 'garbage-collector', clock: opts.clock, log: opts.log });
    this.#client = opts.client;
    this.#factory = opts.factory;
    for (const info of gcResources()) this.#monitor(info);
  }

  #monitor(info: ResourceInfo): void {
    const key = `${info.group}/${info.version}/${info.plural}`;
    if (this.#informers.has(key)) return;
    const inf = this.#factory.informer(refOf(info));
    this.#informers.set(key, inf);
    inf.addEventHandler({
      onAdd: (o) => this.#observe(info, o),
      onUpdate: (_old, o) => this.#observe(info, o),
      onDelete: (o) => this.#forget(o),
    });
  }

  override async run(signal: AbortSignal, workers: number): Promise<void> {
    await Promise.all([super.run(signal, workers), this.#rediscover(signal)]);
  }

  /** rediscover starts watching resources the server began serving since (custom resources). */
  async #rediscover(signal: AbortSignal): Promise<void> {
    if (!this.#client.serverResources) return;
    while (!signal.aborted) {
      try {
        this.#served = await this.#client.serverResources();
        for (const info of gcResources(this.#served)) this.#monitor(info);
      } catch {
        // Discovery failing now is retried at the next round.
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, REDISCOVER_MS);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  #observe(info: ResourceInfo, o: KubeObject): void {
    const uid = o.metadata.uid;
    if (!uid) return;
    const prev = this.#nodes.get(uid);
    for (const r of prev?.owners ?? []) this.#dependents.get(r.uid)?.delete(uid);
    const owners = o.metadata.ownerReferences ?? [];
    this.#nodes.set(uid, { uid, info, namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '', owners });
    for (const r of owners) {
      let s = this.#dependents.get(r.uid);
      if (!s) this.#dependents.set(r.uid, (s = new Set()));
      s.add(uid);
    }
    const fin = o.metadata.finalizers ?? [];
    const deletingWithGC = o.metadata.deletionTimestamp && (fin.includes('orphan') || fin.includes('foregroundDeletion'));
    if (deletingWithGC || owners.some((r) => !this.#nodes.has(r.uid) || this.#isDeletingInForeground(r.uid))) this.enqueue(uid);
  }

  #forget(o: KubeObject): void {
    const uid = o.metadata.uid;
    if (!uid) return;
    const node = this.#nodes.get(uid);
    this.#nodes.delete(uid);
    for (const r of node?.owners ?? []) {
      this.#dependents.get(r.uid)?.delete(uid);
      // An owner in foreground deletion may be waiting for exactly this dependent.
      if (this.#nodes.has(r.uid)) this.enqueue(r.uid);
    }
    for (const dep of this.#dependents.get(uid) ?? []) this.enqueue(dep);
  }

  #object(node: Node): KubeObject | undefined {
    const key = node.info.namespaced ? `${node.namespace}/${node.name}` : node.name;
    const o = this.#informers.get(`${node.info.group}/${node.info.version}/${node.info.plural}`)?.get(key);
    return o?.metadata.uid === node.uid ? o : undefined;
  }

  #isDeletingInForeground(uid: string): boolean {
    const node = this.#nodes.get(uid);
    const o = node && this.#object(node);
    return !!o?.metadata.deletionTimestamp && (o.metadata.finalizers ?? []).includes('foregroundDeletion');
  }

  /** sync processes the object with this uid. */
  async sync(uid: string): Promise<void> {
    const node = this.#nodes.get(uid);
    const obj = node && this.#object(node);
    if (!node || !obj) return;
    const fin = obj.metadata.finalizers ?? [];
    if (obj.metadata.deletionTimestamp && fin.includes('orphan')) return this.#orphanDependents(node, obj);
    if (obj.metadata.deletionTimestamp && fin.includes('foregroundDeletion')) return this.#deleteDependents(node, obj);
    if (node.owners.length > 0 && !obj.metadata.deletionTimestamp) await this.#checkOwners(node, obj);
  }

  /** checkOwners deletes the object when all its owners are gone, or drops the references to the gone ones. */
  async #checkOwners(node: Node, obj: KubeObject): Promise<void> {
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const r of node.owners) {
      if (!(await this.#ownerExists(node, r))) dangling.push(r);
      else if (this.#isDeletingInForeground(r.uid)) waiting.push(r);
    }
    const solid = node.owners.length - dangling.length - waiting.length;
    if (solid > 0 && dangling.length > 0) {
      await this.#dropOwnerReferences(node, obj, new Set(dangling.map((r) => r.uid)));
      return;
    }
    if (solid > 0) return;
    if (waiting.length > 0) {
      // An owner waits for us in foreground: go in foreground too when we block it, so our own dependents go first.
      const blocking = waiting.some((r) => r.blockOwnerDeletion);
      return this.#delete(node, blocking && (this.#dependents.get(node.uid)?.size ?? 0) > 0 ? 'Foreground' : 'Background');
    }
    const fin = obj.metadata.finalizers ?? [];
    const policy = fin.includes('orphan') ? 'Orphan' : fin.includes('foregroundDeletion') ? 'Foreground' : 'Background';
    await this.#delete(node, policy);
  }

  /** ownerExists trusts a cached owner with the same uid, and otherwise asks the API (the cache may lag). */
  async #ownerExists(node: Node, r: OwnerReference): Promise<boolean> {
    if (this.#nodes.has(r.uid)) return true;
    const info = this.#served.find((s) => s.kind === r.kind && apiVersionOf(s) === r.apiVersion);
    if (!info) return false;
    try {
      const o = await this.#client.get(refOf(info), r.name, { namespace: info.namespaced ? node.namespace : undefined });
      return o.metadata.uid === r.uid;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async #delete(node: Node, policy: 'Foreground' | 'Background' | 'Orphan'): Promise<void> {
    await this.#ignoreNotFound(this.#client.delete(refOf(node.info), node.name, { namespace: node.namespace || undefined, propagationPolicy: policy, preconditions: { uid: node.uid } }));
  }

  /** deleteDependents deletes every dependent; the finalizer goes once no blocking dependent is left. */
  async #deleteDependents(node: Node, obj: KubeObject): Promise<void> {
    const deps = [...(this.#dependents.get(node.uid) ?? [])].map((u) => this.#nodes.get(u)).filter((n): n is Node => !!n);
    let blocking = 0;
    for (const dep of deps) {
      const depObj = this.#object(dep);
      if (!depObj) continue;
      const ref = dep.owners.find((r) => r.uid === node.uid);
      if (ref?.blockOwnerDeletion) blocking++;
      if (!depObj.metadata.deletionTimestamp) {
        const policy = (this.#dependents.get(dep.uid)?.size ?? 0) > 0 ? 'Foreground' : 'Background';
        await this.#delete(dep, policy);
      }
    }
    if (blocking === 0) await this.#removeFinalizer(node, obj, 'foregroundDeletion');
  }

  /** orphanDependents removes the references to this owner from its dependents, then the orphan finalizer. */
  async #orphanDependents(node: Node, obj: KubeObject): Promise<void> {
    for (const depUid of [...(this.#dependents.get(node.uid) ?? [])]) {
      const dep = this.#nodes.get(depUid);
      if (!dep) continue;
      const depObj = this.#object(dep);
      if (depObj) await this.#dropOwnerReferences(dep, depObj, new Set([node.uid]));
    }
    await this.#removeFinalizer(node, obj, 'orphan');
  }

  /** removeFinalizer writes the object without one finalizer, with optimistic concurrency (a conflict requeues). */
  async #removeFinalizer(node: Node, obj: KubeObject, finalizer: string): Promise<void> {
    const finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    const patch = [
      { op: 'test', path: '/metadata/resourceVersion', value: obj.metadata.resourceVersion },
      { op: 'replace', path: '/metadata/finalizers', value: finalizers },
    ];
    try {
      await this.#client.patch(refOf(node.info), node.name, 'json', patch, { namespace: node.namespace || undefined });
    } catch (err) {
      // Any other failure (the test op failing because the object moved on) requeues with back-off.
      if (!isNotFound(err)) throw err;
    }
  }

  /**
   * dropOwnerReferences removes references by uid: a strategic merge `$patch: delete` for built-in kinds,
   * and for custom resources (served without strategic merge, as upstream) a JSON patch guarded by the
   * resourceVersion it was computed from.
   */
  async #dropOwnerReferences(node: Node, obj: KubeObject, uids: Set<string>): Promise<void> {
    const ns = { namespace: node.namespace || undefined };
    if (RESOURCES.some((r) => r.group === node.info.group && r.plural === node.info.plural)) {
      const patch = { metadata: { ownerReferences: [...uids].map((uid) => ({ $patch: 'delete', uid })), uid: node.uid } };
      return this.#ignoreNotFound(this.#client.patch(refOf(node.info), node.name, 'strategic', patch, ns));
    }
    const kept = (obj.metadata.ownerReferences ?? []).filter((r) => !uids.has(r.uid));
    const patch = [
      { op: 'test', path: '/metadata/resourceVersion', value: obj.metadata.resourceVersion },
      { op: 'replace', path: '/metadata/ownerReferences', value: kept },
    ];
    await this.#ignoreNotFound(this.#client.patch(refOf(node.info), node.name, 'json', patch, ns));
  }

  async #ignoreNotFound(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
