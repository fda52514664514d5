// SPDX-License-Identifier: Apache-2.0
/**
 * StoredObjects is one resource's side of the Store: its keys, the
 * conversion to and from its storage version, and the reads and conditional
 * writes ResourceRegistry builds create, update and delete from, and
 * upstream's bare Storage.GuaranteedUpdate for the writes that skip the
 * registry's update path (pods/binding). Every write is stored in upstream's
 * field order, and reported to onWritten.
 */
import type { KubeObject, ResourceInfo } from '../../api/index.js';
import { inUpstreamOrder, storageKey } from '../../api/index.js';
import { conflictStaleMessage, newBadRequest, newConflict, newNotFound, type GroupResource } from '../../machinery/index.js';
import type { KeyValue, Store } from '../../storage/index.js';
import { RevisionConflictError } from '../../storage/index.js';
import type { VersionConverter } from '../definitions/definition.js';
import { decodeObject, encodeObject } from './object-codec.js';
import type { RequestContext } from './request-context.js';
import { translateStorageError } from './storage-errors.js';

export class StoredObjects {
  readonly #store: Store;
  readonly #info: ResourceInfo;
  readonly #gr: GroupResource;
  readonly #apiVersion: string;
  readonly #converter?: VersionConverter;
  readonly #onWritten?: () => void;

  constructor(store: Store, info: ResourceInfo, apiVersion: string, converter: VersionConverter | undefined, onWritten: (() => void) | undefined) {
    this.#store = store;
    this.#info = info;
    this.#gr = { group: info.group, resource: info.plural };
    this.#apiVersion = apiVersion;
    this.#converter = converter;
    this.#onWritten = onWritten;
  }

  /** key is the object's storage key; a namespaced resource needs the request's namespace. */
  key(ctx: RequestContext, name: string): string {
    if (this.#info.namespaced && !ctx.namespace) throw newBadRequest('a namespace is required for namespaced resources');
    return storageKey(this.#info, ctx.namespace, name);
  }

  /** read returns the stored row and the object it holds, or answers NotFound. */
  async read(key: string, name: string): Promise<{ kv: KeyValue; object: KubeObject }> {
    const kv = await this.#store.get(key).catch(translateStorageError(this.#gr, name));
    if (!kv) throw newNotFound(this.#gr, name);
    return { kv, object: await this.decode(kv) };
  }

  /** create stores a new object; storage errors reach the caller untranslated (a generated name is retried on KeyExists). */
  async create(key: string, obj: KubeObject): Promise<KubeObject> {
    const stored = await this.#toStorage(obj);
    const kv = await this.#store.create(key, encodeObject(stored));
    this.#onWritten?.();
    return this.#written(stored, kv);
  }

  /** update replaces the object stored at revision; a RevisionConflictError means someone wrote in between. */
  async update(key: string, obj: KubeObject, revision: number): Promise<KubeObject> {
    const { stored, kv } = await this.#write(key, obj, revision);
    return this.#written(stored, kv);
  }

  /**
   * guaranteedUpdate is upstream's Storage.GuaranteedUpdate: read, change,
   * write back, redone on a write conflict, and nothing more (no admission,
   * validation or managedFields). `change` may throw to refuse. A dry run
   * checks and changes but does not write.
   */
  async guaranteedUpdate(ctx: RequestContext, name: string, change: (current: KubeObject) => KubeObject): Promise<void> {
    const key = this.key(ctx, name);
    for (let attempt = 0; attempt < 16; attempt++) {
      const { kv, object } = await this.read(key, name);
      const next = change(object);
      if (ctx.dryRun) return;
      try {
        await this.#write(key, next, kv.modRevision);
        return;
      } catch (err) {
        if (err instanceof RevisionConflictError) continue;
        throw translateStorageError(this.#gr, name)(err);
      }
    }
    throw newConflict(this.#gr, name, conflictStaleMessage);
  }

  async #write(key: string, obj: KubeObject, revision: number): Promise<{ stored: KubeObject; kv: KeyValue }> {
    const stored = await this.#toStorage(obj);
    const kv = await this.#store.update(key, encodeObject(stored), revision);
    this.#onWritten?.();
    return { stored, kv };
  }

  /** delete removes the row read as kv (a RevisionConflictError when it changed) and returns the object as deleted. */
  async delete(kv: KeyValue): Promise<KubeObject> {
    const gone = await this.#store.delete(kv.key, kv.modRevision);
    this.#onWritten?.();
    const obj = await this.fromStorage(JSON.parse(gone.value) as KubeObject);
    obj.metadata.resourceVersion = String(gone.modRevision);
    return obj;
  }

  /** decode is the object a stored row holds, in the served version. */
  decode(kv: KeyValue): Promise<KubeObject> {
    return this.fromStorage(decodeObject(kv));
  }

  /** fromStorage converts a stored object to the served version and stamps its apiVersion and kind. */
  async fromStorage(obj: KubeObject): Promise<KubeObject> {
    const out = this.#converter ? await this.#converter.fromStorage(obj) : obj;
    out.apiVersion = this.#apiVersion;
    out.kind = this.#info.kind;
    return out;
  }

  /**
   * written is what a write answers: the object just stored, at the
   * revision that stored it. It is the object the stored text was made
   * from, so that text is not parsed back (the answer has the same fields in
   * the same order: the resourceVersion last in metadata, as a read's).
   */
  #written(stored: KubeObject, kv: KeyValue): Promise<KubeObject> {
    stored.metadata.resourceVersion = String(kv.modRevision);
    return this.fromStorage(stored);
  }

  /** toStorage converts to the storage version and puts fields in upstream's order, once per write, so reads and watches need no reordering. */
  async #toStorage(obj: KubeObject): Promise<KubeObject> {
    return inUpstreamOrder(this.#converter ? await this.#converter.toStorage(obj) : obj);
  }
}
