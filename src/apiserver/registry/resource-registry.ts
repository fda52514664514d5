// SPDX-License-Identifier: Apache-2.0
/**
 * ResourceRegistry serves one resource (one row of src/api/resources.ts) on
 * top of a Store: the generic part of upstream's registry/generic Store.
 * Everything common to all kinds lives here (metadata, generation,
 * resourceVersion, status/main split, finalizers, graceful deletion,
 * selectors, paging, watch); what is particular to a kind comes from its
 * ResourceStrategy and optional RegistryHooks.
 */
import type { KubeList, KubeObject, WatchEvent } from '../../api/index.js';
import { deepClone, isPlainObject } from '../../api/index.js';
import { apiVersionOf, storagePrefix, type ResourceInfo } from '../../api/index.js';
import { StatusError, conflictStaleMessage, newBadRequest, newConflict, type GroupResource } from '../../machinery/index.js';
import type { KeyValue, Store } from '../../storage/index.js';
import { KeyExistsError, RevisionConflictError } from '../../storage/index.js';
import type { ResourceStrategy } from '../strategy.js';
import type { ResourceDefinition } from '../definitions/definition.js';
import type { RequestContext } from './request-context.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { watchResource, type WatchRequest } from './watch.js';
import { parseResourceVersion } from './resource-version.js';
import { ManagedFieldsTracker, kindSchemaOf } from './managed-fields.js';
import type { DeleteRequest, DeleteResult, ListRequest, RegistryHooks, ResourceRegistryOptions } from './registry-types.js';
import { translateStorageError } from './storage-errors.js';
import { generateName, sameObject } from './object-meta.js';
import { markForDeletion, prepareCreate, prepareUpdate, releasedByFinalizers } from './write-preparation.js';
import { readPages } from './list-pages.js';
import { ObjectChecks } from './object-checks.js';
import { StoredObjects } from './stored-objects.js';

export { INTERNAL_FULL_UPDATE, type DeleteRequest, type DeleteResult, type ListRequest, type RegistryHooks, type ResourceRegistryOptions } from './registry-types.js';
export type { VersionConverter } from '../definitions/definition.js';
export { newStoreUnavailable, translateStorageError } from './storage-errors.js';
export { rfc3339 } from './object-meta.js';

const MAX_GENERATE_NAME_ATTEMPTS = 8;

export class ResourceRegistry {
  readonly info: ResourceInfo;
  readonly definition: ResourceDefinition;
  readonly gr: GroupResource;
  /** managedFields records every write's field ownership and runs server-side apply. */
  readonly managedFields: ManagedFieldsTracker;
  readonly #store: Store;
  readonly #strategy: ResourceStrategy;
  readonly #hooks: RegistryHooks;
  readonly #opts: ResourceRegistryOptions;
  readonly #now: () => Date;
  readonly #apiVersion: string;
  readonly #checks: ObjectChecks;
  readonly #stored: StoredObjects;

  constructor(opts: ResourceRegistryOptions) {
    const def = opts.definition;
    this.definition = def;
    this.info = def.info;
    this.gr = { group: def.info.group, resource: def.info.plural };
    this.#store = opts.store;
    this.#strategy = def.strategy;
    this.#hooks = opts.hooks ?? {};
    this.#opts = opts;
    this.#now = opts.now ?? (() => new Date());
    this.#apiVersion = apiVersionOf(def.info);
    this.#checks = new ObjectChecks(def, opts);
    this.#stored = new StoredObjects(opts.store, def.info, this.#apiVersion, def.converter, opts.onWritten);
    this.managedFields = new ManagedFieldsTracker(def.info, opts.kindSchema ?? (() => kindSchemaOf(def)), opts.now);
  }

  // ---------------------------------------------------------------- reads

  async get(ctx: RequestContext, name: string): Promise<KubeObject> {
    return (await this.#stored.read(this.#stored.key(ctx, name), name)).object;
  }

  async list(ctx: RequestContext, req: ListRequest): Promise<KubeList> {
    const prefix = storagePrefix(this.info, this.info.namespaced ? ctx.namespace : undefined);
    let revision = 0;
    let startAfter: string | undefined;
    if (req.continue) {
      const token = decodeContinue(req.continue);
      revision = token.rv;
      startAfter = prefix + token.start;
    } else if (req.resourceVersion && req.resourceVersion !== '0' && req.resourceVersionMatch === 'Exact') {
      revision = parseResourceVersion(req.resourceVersion);
    }
    const { items, continueAfter, readAt } = await readPages(this.#store, { prefix, startAfter, revision, limit: req.limit, predicate: req.predicate, continuing: !!req.continue }, (kv) => this.#stored.decode(kv), this.gr);
    const metadata: KubeList['metadata'] = { resourceVersion: String(readAt) };
    if (continueAfter) metadata.continue = encodeContinue(readAt, continueAfter.slice(prefix.length));
    return { apiVersion: this.#apiVersion, kind: `${this.info.kind}List`, metadata, items };
  }

  watch(ctx: RequestContext, req: WatchRequest, signal: AbortSignal): AsyncIterable<WatchEvent> {
    const prefix = storagePrefix(this.info, this.info.namespaced ? ctx.namespace : undefined);
    return watchResource({
      store: this.#store,
      prefix,
      request: req,
      signal,
      apiVersion: this.#apiVersion,
      kind: this.info.kind,
      decode: (obj) => this.#stored.fromStorage(obj),
      list: (rv) => this.list(ctx, { predicate: req.predicate, resourceVersion: rv ? String(rv) : undefined, resourceVersionMatch: rv ? 'Exact' : undefined }),
    });
  }

  // ---------------------------------------------------------------- create

  async create(ctx: RequestContext, input: KubeObject): Promise<KubeObject> {
    this.#checks.decodes(input);
    const obj = this.#checks.typeMeta(input);
    const meta = obj.metadata;
    await this.#checks.placeInNamespace(meta, ctx);
    this.#checks.unknownFields(ctx, input);
    const generated = prepareCreate(this.definition, obj, ctx, this.#now());
    this.managedFields.recordWrite(ctx, undefined, obj, input);
    const attrs = { operation: 'CREATE' as const, resource: this.info, object: obj, ctx };
    await this.#opts.admission?.admit(attrs);
    this.#checks.validate(obj, [...this.#opts.validateMeta(obj, this.info), ...(this.#strategy.validate?.(obj) ?? [])]);
    await this.#opts.admission?.validate(attrs);
    await this.#hooks.beforeCreate?.(obj, ctx);
    if (ctx.dryRun) {
      this.#hooks.afterFailedCreate?.(obj);
      return await this.#stored.fromStorage(obj);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#stored.create(this.#stored.key(ctx, meta.name!), obj);
      } catch (err) {
        // A generated name that collides is retried, as upstream does, before giving up.
        if (err instanceof KeyExistsError && generated && attempt < MAX_GENERATE_NAME_ATTEMPTS) {
          meta.name = generateName(meta.generateName!);
          continue;
        }
        this.#hooks.afterFailedCreate?.(obj);
        throw translateStorageError(this.gr, meta.name!)(err);
      }
    }
  }

  // ---------------------------------------------------------------- update

  /**
   * update replaces the object (or, with subresource 'status', only its
   * status). A missing resourceVersion means an unconditional update, as
   * upstream allows for built-in kinds.
   */
  async update(ctx: RequestContext, name: string, input: KubeObject, subresource?: string): Promise<KubeObject> {
    this.#checks.decodes(input);
    const obj = this.#checks.typeMeta(input);
    if (obj.metadata.name && obj.metadata.name !== name) {
      throw newBadRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (this.info.namespaced && obj.metadata.namespace && ctx.namespace && obj.metadata.namespace !== ctx.namespace) {
      throw newBadRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    this.#checks.unknownFields(ctx, input);
    // The request replaces the object: the current one is read, never changed, so it is not copied.
    return this.#guaranteedUpdate(ctx, name, obj.metadata.resourceVersion, () => obj, subresource, false);
  }

  /**
   * guaranteedUpdate reads the current object, applies `mutate` and writes it
   * back, retrying on a write conflict when the caller did not pin a
   * resourceVersion (PATCH and internal read-modify-write), as upstream's
   * GuaranteedUpdate does.
   */
  async #guaranteedUpdate(ctx: RequestContext, name: string, expectedRV: string | undefined, mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>, subresource?: string, mutatesCurrent = true): Promise<KubeObject> {
    const key = this.#stored.key(ctx, name);
    for (let attempt = 0; attempt < 16; attempt++) {
      const { kv, object: old } = await this.#stored.read(key, name);
      const requested = await mutate(mutatesCurrent ? deepClone(old) : old);
      const pinnedRV = expectedRV ?? requested.metadata.resourceVersion;
      if (pinnedRV && pinnedRV !== String(kv.modRevision)) {
        throw newConflict(this.gr, name, conflictStaleMessage);
      }
      const next = prepareUpdate(this.definition, requested, old, subresource);
      this.managedFields.recordWrite(ctx, old, next, requested, subresource);
      const attrs = { operation: 'UPDATE' as const, resource: this.info, subresource, object: next, oldObject: old, ctx };
      await this.#opts.admission?.admit(attrs);
      this.#checks.validateUpdate(next, old, subresource);
      await this.#opts.admission?.validate(attrs);
      if (releasedByFinalizers(this.definition, next)) {
        const gone = await this.#finishDeletion(ctx, kv, old);
        if (gone) return gone;
        continue;
      }
      if (sameObject(next, old)) return old; // no-op updates write nothing, as upstream
      await this.#hooks.beforeUpdate?.(next, old, ctx);
      if (ctx.dryRun) return next;
      try {
        return await this.#stored.update(key, next, kv.modRevision);
      } catch (err) {
        // Someone wrote in between: read again and redo the change, as upstream's
        // GuaranteedUpdate does. A pinned resourceVersion (a PUT's, or one the patch
        // set) no longer matches then, and the check above answers 409.
        if (err instanceof RevisionConflictError) continue;
        throw translateStorageError(this.gr, name)(err);
      }
    }
    throw newConflict(this.gr, name, conflictStaleMessage);
  }

  /**
   * patchWith applies a patch function to the current object and writes the result (retrying on conflicts).
   * `fresh`: apply leaves `current` alone and returns a new tree (as the patch functions do), so nothing is copied.
   */
  async patchWith(ctx: RequestContext, name: string, apply: (current: KubeObject) => KubeObject, subresource?: string, fresh = false): Promise<KubeObject> {
    return this.#guaranteedUpdate(ctx, name, undefined, (current) => {
      const patched = apply(current);
      if (!isPlainObject(patched) || !isPlainObject(patched.metadata)) throw newBadRequest('the patch produced an object without metadata');
      this.#checks.unknownFields(ctx, patched);
      const typed = this.#checks.typeMeta(patched, !fresh);
      ManagedFieldsTracker.carryApplied(patched, typed);
      if (typed.metadata.name !== name) throw newBadRequest(`the name of the object (${String(typed.metadata.name)}) does not match the name on the URL (${name})`);
      return typed;
    }, subresource, !fresh);
  }

  /** storageUpdate writes the object straight to storage, as upstream's BindingREST writes a pod (see StoredObjects.guaranteedUpdate). */
  storageUpdate(ctx: RequestContext, name: string, change: (current: KubeObject) => KubeObject): Promise<void> {
    return this.#stored.guaranteedUpdate(ctx, name, change);
  }

  // ---------------------------------------------------------------- delete

  /** delete removes the object, or marks it for deletion; `deleted` tells which (upstream answers 200 vs 202). */
  async delete(ctx: RequestContext, name: string, req: DeleteRequest = {}): Promise<DeleteResult> {
    const key = this.#stored.key(ctx, name);
    for (let attempt = 0; attempt < 16; attempt++) {
      const { kv, object: current } = await this.#stored.read(key, name);
      this.#checks.preconditions(current, req.preconditions);
      // Validating admission sees deletes too (NamespaceLifecycle refuses the immortal namespaces; NodeRestriction keeps a node to its own pods).
      await this.#opts.admission?.validate({ operation: 'DELETE', resource: this.info, object: current, oldObject: current, ctx });
      const next = deepClone(current);
      const changed = markForDeletion(this.definition, next, req, this.#now());
      if (!changed.keep) {
        if (ctx.dryRun) return { object: current, deleted: true };
        const gone = await this.#finishDeletion(ctx, kv, current);
        if (gone) return { object: gone, deleted: true };
        continue;
      }
      if (!changed.dirty) return { object: current, deleted: false };
      if (ctx.dryRun) return { object: next, deleted: false };
      try {
        return { object: await this.#stored.update(key, next, kv.modRevision), deleted: false };
      } catch (err) {
        if (err instanceof RevisionConflictError) continue;
        throw translateStorageError(this.gr, name)(err);
      }
    }
    throw newConflict(this.gr, name, conflictStaleMessage);
  }

  /** finishDeletion removes the object; undefined when a write came in between, so the caller reads again and retries (upstream's conditional delete). */
  async #finishDeletion(ctx: RequestContext, kv: KeyValue, current: KubeObject): Promise<KubeObject | undefined> {
    if (ctx.dryRun) return current;
    try {
      const obj = await this.#stored.delete(kv);
      this.#hooks.afterDelete?.(obj);
      return obj;
    } catch (err) {
      if (err instanceof RevisionConflictError) return undefined;
      throw translateStorageError(this.gr, current.metadata.name ?? '')(err);
    }
  }

  async deleteCollection(ctx: RequestContext, list: ListRequest, req: DeleteRequest): Promise<KubeList> {
    const all = await this.list(ctx, { predicate: list.predicate });
    const deleted: KubeObject[] = [];
    for (const obj of all.items) {
      const c = { ...ctx, namespace: obj.metadata.namespace ?? ctx.namespace };
      try {
        deleted.push((await this.delete(c, obj.metadata.name!, req)).object);
      } catch (err) {
        if (!(err instanceof StatusError && err.reason === 'NotFound')) throw err;
      }
    }
    return { ...all, items: deleted };
  }
}
