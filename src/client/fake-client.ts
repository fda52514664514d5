// SPDX-License-Identifier: Apache-2.0
/**
 * FakeClient is a Client over in-memory objects that records every call, for
 * controller unit tests in sample-controller's style: preload objects, let
 * informers list them, call `sync(key)`, then compare `mutations()` with the
 * calls the controller should have made. It keeps just enough API semantics
 * for that: generateName, uid, resourceVersion, generation, optimistic
 * concurrency, the status subresource, finalizers and deletionTimestamp.
 */
import { randomUUID } from 'node:crypto';
import { deepClone, deepEqual, type KubeList, type KubeObject, type WatchEvent } from '../api/index.js';
import { lookupKind, lookupResource, type ResourceInfo } from '../api/index.js';
import { buildPredicate, rfc3339 } from '../machinery/index.js';
import { newAlreadyExists, newConflict, newNotFound, conflictStaleMessage, StatusError } from '../machinery/index.js';
import { applyPatch } from '../api/index.js';
import type { Client, DeleteOptions, ListOptions, PatchType, RequestOptions, ResourceRef, WatchOptions } from './client.js';
import { FakeWatches } from './fake-watch.js';

/** Action is one recorded call. */
export interface Action {
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
  resource: string;
  namespace: string;
  name: string;
  subresource?: string;
  /** object is the body sent (create/update) or, for patch, the patch. */
  object?: unknown;
  patchType?: PatchType;
  propagationPolicy?: string;
}

/** Reactor may answer a call instead of the fake store: throw to fail it, return undefined to let it through. */
export type Reactor = (action: Action) => KubeObject | undefined;

const READ_VERBS = new Set(['get', 'list', 'watch']);

/** FakeClient implements Client over a map; see the file comment. */
export class FakeClient implements Client {
  /** actions lists every call made so far, reads included. */
  readonly actions: Action[] = [];
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #watches = new FakeWatches();
  readonly #reactors: { verb: string; resource: string; fn: Reactor }[] = [];
  #rv = 1;

  constructor(objects: KubeObject[] = []) {
    for (const o of objects) this.seed(o);
  }

  /** seed stores an object as-is (apiVersion and kind required), filling uid and resourceVersion when missing, and records nothing. */
  seed(obj: KubeObject): KubeObject {
    const info = lookupKind(obj.apiVersion ?? '', obj.kind ?? '');
    if (!info) throw new Error(`fake client: unknown kind ${obj.apiVersion}/${obj.kind}`);
    const o = deepClone(obj);
    o.metadata.uid ??= randomUUID();
    o.metadata.resourceVersion = String(++this.#rv);
    this.#store(info).set(keyOf(o), o);
    this.#watches.emit(info, 'ADDED', o);
    return o;
  }

  /** mutations lists the recorded writes (everything but get/list/watch), as sample-controller's filterInformerActions. */
  mutations(): Action[] {
    return this.actions.filter((a) => !READ_VERBS.has(a.verb));
  }

  clearActions(): void {
    this.actions.length = 0;
  }

  /** on makes calls matching verb and resource ('*' for any) go through fn first. */
  on(verb: string, resource: string, fn: Reactor): void {
    this.#reactors.push({ verb, resource, fn });
  }

  /** objects returns the stored objects of a resource (copies). */
  objects(ref: ResourceRef, namespace?: string): KubeObject[] {
    const all = [...this.#store(this.#info(ref)).values()];
    return all.filter((o) => !namespace || o.metadata.namespace === namespace).map((o) => deepClone(o));
  }

  async get<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, opts: RequestOptions = {}): Promise<T> {
    const a = this.#record({ verb: 'get', resource: ref.resource, namespace: opts.namespace ?? '', name, subresource: opts.subresource });
    if (a) return a as T;
    return deepClone(this.#mustGet(ref, opts.namespace, name)) as T;
  }

  async list<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: ListOptions = {}): Promise<KubeList<T>> {
    this.#record({ verb: 'list', resource: ref.resource, namespace: opts.namespace ?? '', name: '' });
    const info = this.#info(ref);
    const items = this.#select(info, opts).map((o) => deepClone(o) as T);
    return { apiVersion: info.group ? `${info.group}/${info.version}` : info.version, kind: `${info.kind}List`, metadata: { resourceVersion: String(this.#rv) }, items };
  }

  watch<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: WatchOptions): AsyncIterable<WatchEvent<T>> {
    this.#record({ verb: 'watch', resource: ref.resource, namespace: opts.namespace ?? '', name: '' });
    return this.#watches.watch<T>(this.#info(ref), opts);
  }

  async create<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: T, opts: RequestOptions = {}): Promise<T> {
    const namespace = opts.namespace ?? obj.metadata.namespace ?? '';
    const a = this.#record({ verb: 'create', resource: ref.resource, namespace, name: obj.metadata.name ?? '', subresource: opts.subresource, object: deepClone(obj) });
    if (a) return a as T;
    if (opts.subresource) return deepClone(obj);
    const info = this.#info(ref);
    const o = deepClone(obj) as KubeObject;
    o.apiVersion ??= info.group ? `${info.group}/${info.version}` : info.version;
    o.kind ??= info.kind;
    if (info.namespaced) o.metadata.namespace = namespace;
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = o.metadata.generateName + randomSuffix();
    const store = this.#store(info);
    if (store.has(keyOf(o))) throw newAlreadyExists(gr(info), o.metadata.name ?? '');
    o.metadata.uid = randomUUID();
    o.metadata.resourceVersion = String(++this.#rv);
    o.metadata.generation = 1;
    o.metadata.creationTimestamp ??= rfc3339(Date.now());
    store.set(keyOf(o), o);
    this.#watches.emit(info, 'ADDED', o);
    return deepClone(o) as T;
  }

  async update<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: T, opts: RequestOptions = {}): Promise<T> {
    const namespace = opts.namespace ?? obj.metadata.namespace ?? '';
    const name = obj.metadata.name ?? '';
    const a = this.#record({ verb: 'update', resource: ref.resource, namespace, name, subresource: opts.subresource, object: deepClone(obj) });
    if (a) return a as T;
    const info = this.#info(ref);
    const cur = this.#mustGet(ref, namespace, name);
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== cur.metadata.resourceVersion) {
      throw newConflict(gr(info), name, conflictStaleMessage);
    }
    return this.#replace(info, cur, deepClone(obj) as KubeObject, opts.subresource) as Promise<T>;
  }

  async patch<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, type: PatchType, patch: unknown, opts: RequestOptions = {}): Promise<T> {
    const namespace = opts.namespace ?? '';
    const a = this.#record({ verb: 'patch', resource: ref.resource, namespace, name, subresource: opts.subresource, object: deepClone(patch), patchType: type });
    if (a) return a as T;
    const info = this.#info(ref);
    const cur = this.#mustGet(ref, namespace, name);
    const next = applyPatch(type, deepClone(cur), patch, { group: info.group, version: info.version, kind: info.kind }) as KubeObject;
    return this.#replace(info, cur, next, opts.subresource) as Promise<T>;
  }

  async delete(ref: ResourceRef, name: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    const namespace = opts.namespace ?? '';
    const a = this.#record({ verb: 'delete', resource: ref.resource, namespace, name, propagationPolicy: opts.propagationPolicy });
    if (a) return a;
    const cur = this.#mustGet(ref, namespace, name);
    if (opts.preconditions?.uid && opts.preconditions.uid !== cur.metadata.uid) {
      throw newConflict(gr(this.#info(ref)), name, `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${cur.metadata.uid}`);
    }
    return this.#deleteObject(this.#info(ref), cur, opts.propagationPolicy);
  }

  async deleteCollection(ref: ResourceRef, opts: ListOptions & DeleteOptions = {}): Promise<KubeList> {
    const a = this.#record({ verb: 'deletecollection', resource: ref.resource, namespace: opts.namespace ?? '', name: '', propagationPolicy: opts.propagationPolicy });
    const info = this.#info(ref);
    const list: KubeList = { apiVersion: 'v1', kind: `${info.kind}List`, metadata: {}, items: [] };
    if (a) return list;
    for (const o of this.#select(info, opts)) list.items.push(this.#deleteObject(info, o, opts.propagationPolicy));
    return list;
  }

  #deleteObject(info: ResourceInfo, cur: KubeObject, policy: string | undefined): KubeObject {
    const finalizers = new Set(cur.metadata.finalizers ?? []);
    if (policy === 'Foreground') finalizers.add('foregroundDeletion');
    if (policy === 'Orphan') finalizers.add('orphan');
    if (info.kind === 'Namespace') {
      const o = deepClone(cur);
      o.metadata.deletionTimestamp ??= rfc3339(Date.now());
      o.status = { ...(o.status as object), phase: 'Terminating' };
      return this.#put(info, o);
    }
    if (finalizers.size === 0) {
      this.#store(info).delete(keyOf(cur));
      this.#watches.emit(info, 'DELETED', cur);
      return deepClone(cur);
    }
    const o = deepClone(cur);
    o.metadata.finalizers = [...finalizers];
    o.metadata.deletionTimestamp ??= rfc3339(Date.now());
    return this.#put(info, o);
  }

  async #replace(info: ResourceInfo, cur: KubeObject, next: KubeObject, subresource?: string): Promise<KubeObject> {
    let o: KubeObject;
    if (subresource === 'status') {
      // As the real registry: a status write takes status and annotations, nothing else.
      o = { ...deepClone(cur), status: next.status };
      if (next.metadata.annotations !== undefined) o.metadata = { ...o.metadata, annotations: next.metadata.annotations };
    } else if (subresource === 'finalize') {
      o = deepClone(cur);
      o.spec = { ...(o.spec as object), finalizers: (next.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [] };
    } else {
      o = next;
      if (info.subresources.includes('status')) o.status = cur.status;
      o.metadata.uid = cur.metadata.uid;
      o.metadata.creationTimestamp = cur.metadata.creationTimestamp;
      o.metadata.deletionTimestamp = cur.metadata.deletionTimestamp;
      o.metadata.generation = cur.metadata.generation;
      if (!deepEqual(cur.spec, next.spec)) o.metadata.generation = (cur.metadata.generation ?? 0) + 1;
    }
    if (o.metadata.deletionTimestamp && (o.metadata.finalizers ?? []).length === 0 && this.#finalizable(info, o)) {
      this.#store(info).delete(keyOf(o));
      this.#watches.emit(info, 'DELETED', o);
      return deepClone(o);
    }
    return this.#put(info, o);
  }

  /** finalizable: a namespace also waits for its spec.finalizers (the `kubernetes` finalizer) to be emptied. */
  #finalizable(info: ResourceInfo, o: KubeObject): boolean {
    if (info.kind !== 'Namespace') return true;
    return ((o.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length === 0;
  }

  #put(info: ResourceInfo, o: KubeObject): KubeObject {
    o.metadata.resourceVersion = String(++this.#rv);
    this.#store(info).set(keyOf(o), o);
    this.#watches.emit(info, 'MODIFIED', o);
    return deepClone(o);
  }

  #select(info: ResourceInfo, opts: ListOptions): KubeObject[] {
    const pred = buildPredicate(info, opts.labelSelector, opts.fieldSelector);
    return [...this.#store(info).values()].filter((o) => (!opts.namespace || o.metadata.namespace === opts.namespace) && (!pred || pred(o)));
  }

  #record(action: Action): KubeObject | undefined {
    this.actions.push(action);
    for (const r of this.#reactors) {
      if ((r.verb === '*' || r.verb === action.verb) && (r.resource === '*' || r.resource === action.resource)) {
        const out = r.fn(action);
        if (out) return out;
      }
    }
    return undefined;
  }

  #mustGet(ref: ResourceRef, namespace: string | undefined, name: string): KubeObject {
    const info = this.#info(ref);
    const o = this.#store(info).get(info.namespaced && namespace ? `${namespace}/${name}` : name);
    if (!o) throw newNotFound(gr(info), name);
    return o;
  }

  #info(ref: ResourceRef): ResourceInfo {
    const info = lookupResource(ref.group, ref.version, ref.resource);
    if (!info) throw new StatusError(404, 'NotFound', `the server could not find the requested resource (${ref.resource})`);
    return info;
  }

  #store(info: ResourceInfo): Map<string, KubeObject> {
    const id = `${info.storage.group}/${info.storage.resource}`;
    let m = this.#objects.get(id);
    if (!m) this.#objects.set(id, (m = new Map()));
    return m;
  }
}

function gr(info: ResourceInfo): { group: string; resource: string } {
  return { group: info.group, resource: info.plural };
}

function keyOf(o: KubeObject): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : `${o.metadata.name}`;
}

/** randomSuffix is 5 characters from upstream's generateName alphabet (no vowels, no 0/1/3 that read as letters). */
function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}
