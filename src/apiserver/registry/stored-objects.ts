// SPDX-License-Identifier: Apache-2.0
/**
 * StoredObjects is a ResourceRegistry's view of its storage: the key of an
 * object, its storage form (storage version, upstream's field order) and
 * back, and upstream's bare Storage.GuaranteedUpdate for the writes that
 * skip the registry's update path (pods/binding).
 */
import type { KubeObject, ResourceInfo } from '../../api/index.js';
import { apiVersionOf, inUpstreamOrder, storageKey } from '../../api/index.js';
import { conflictStaleMessage, newBadRequest, newConflict, newNotFound, type GroupResource } from '../../machinery/index.js';
import type { Store } from '../../storage/index.js';
import { RevisionConflictError } from '../../storage/index.js';
import type { VersionConverter } from '../definitions/definition.js';
import { decodeObject, encodeObject } from './object-codec.js';
import type { RequestContext } from './request-context.js';
import { translateStorageError } from './storage-errors.js';

export class StoredObjects {
  readonly #info: ResourceInfo;
  readonly #gr: GroupResource;
  readonly #store: Store;
  readonly #converter?: VersionConverter;
  readonly #apiVersion: string;
  readonly #onWritten?: () => void;

  constructor(info: ResourceInfo, store: Store, converter: VersionConverter | undefined, onWritten: (() => void) | undefined) {
    this.#info = info;
    this.#gr = { group: info.group, resource: info.plural };
    this.#store = store;
    this.#converter = converter;
    this.#apiVersion = apiVersionOf(info);
    this.#onWritten = onWritten;
  }

  key(ctx: RequestContext, name: string): string {
    if (this.#info.namespaced && !ctx.namespace) throw newBadRequest('a namespace is required for namespaced resources');
    return storageKey(this.#info, ctx.namespace, name);
  }

  /** toStorage converts to the storage version and puts fields in upstream's order, once per write, so reads and watches need no reordering. */
  async toStorage(obj: KubeObject): Promise<KubeObject> {
    return inUpstreamOrder(this.#converter ? await this.#converter.toStorage(obj) : obj);
  }

  async fromStorage(obj: KubeObject): Promise<KubeObject> {
    const out = this.#converter ? await this.#converter.fromStorage(obj) : obj;
    out.apiVersion = this.#apiVersion;
    out.kind = this.#info.kind;
    return out;
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
      const kv = await this.#store.get(key).catch(translateStorageError(this.#gr, name));
      if (!kv) throw newNotFound(this.#gr, name);
      const next = change(await this.fromStorage(decodeObject(kv)));
      if (ctx.dryRun) return;
      try {
        await this.#store.update(key, encodeObject(await this.toStorage(next)), kv.modRevision);
        this.#onWritten?.();
        return;
      } catch (err) {
        if (err instanceof RevisionConflictError) continue;
        throw translateStorageError(this.#gr, name)(err);
      }
    }
    throw newConflict(this.#gr, name, conflictStaleMessage);
  }
}
