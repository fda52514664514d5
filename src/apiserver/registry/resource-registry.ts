// SPDX-License-Identifier: Apache-2.0
/**
 * ResourceRegistry serves one resource (one row of src/api/resources.ts) on
 * top of a Store: the generic part of upstream's registry/generic Store.
 * Everything common to all kinds lives here (metadata, generation,
 * resourceVersion, status/main split, finalizers, graceful deletion,
 * selectors, paging, watch); what is particular to a kind comes from its
 * ResourceStrategy and optional RegistryHooks.
 */
import { randomUUID } from 'node:crypto';
import type { KubeList, KubeObject, WatchEvent } from '../../api/index.js';
import { deepClone, deepEqual, inUpstreamOrder, isPlainObject } from '../../api/index.js';
import { apiVersionOf, storageKey, storagePrefix, type ResourceInfo } from '../../api/index.js';
import {
  StatusError,
  conflictStaleMessage,
  newAlreadyExists,
  newBadRequest,
  newConflict,
  newGone,
  newInternalError,
  newServiceUnavailable,
  newInvalid,
  newNotFound,
  newForbidden,
  type FieldError,
  type GroupResource,
} from '../../machinery/index.js';
import type { KeyValue, Store } from '../../storage/index.js';
import {
  CompactedError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  StorageError,
  StoreUnavailableError,
} from '../../storage/index.js';
import type { ResourceStrategy } from '../strategy.js';
import type { ResourceDefinition, VersionConverter } from '../definitions/definition.js';
import type { AdmissionChain } from '../admission/admission.js';
import { decodeObject, encodeObject } from './object-codec.js';
import type { RequestContext } from './request-context.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { watchResource, type WatchRequest } from './watch.js';
import { parseResourceVersion } from './resource-version.js';
import { ManagedFieldsTracker, kindSchemaOf, type KindSchema } from './managed-fields.js';

/** RegistryHooks add kind-specific steps that need storage or allocation (cluster IPs, node ports). */
export interface RegistryHooks {
  /** beforeCreate runs after validation and before the write; it may allocate and must undo with afterFailedCreate. */
  beforeCreate?(obj: KubeObject, ctx: RequestContext): Promise<void> | void;
  afterFailedCreate?(obj: KubeObject): void;
  beforeUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): Promise<void> | void;
  afterDelete?(obj: KubeObject): void;
}

export type { VersionConverter } from '../definitions/definition.js';

export interface ResourceRegistryOptions {
  /** definition says what is served and how its kind behaves (strategy, generation, graceful deletion). */
  definition: ResourceDefinition;
  store: Store;
  hooks?: RegistryHooks;
  /** validateMeta checks metadata generically (name rules, labels, annotations). */
  validateMeta(obj: KubeObject, info: ResourceInfo): FieldError[];
  /** findUnknownFields lists fields the schema does not know, as `spec.foo` paths. */
  findUnknownFields?(apiVersion: string, kind: string, obj: unknown): string[];
  /** decodeError says why a body would not decode into the kind's Go type (a wrongly typed field), in encoding/json's words. */
  decodeError?(apiVersion: string, kind: string, obj: unknown): string | undefined;
  /** onWritten is told after every stored write of this resource (APIRegistry's cached policy lists). */
  onWritten?: () => void;
  /** admission runs mutating and validating admission plugins around validation. */
  admission?: AdmissionChain;
  /** namespaceState tells whether a namespace exists and whether it is terminating. */
  namespaceState(name: string): Promise<'Active' | 'Terminating' | undefined>;
  /** kindSchema gives the structure managedFields are tracked against (built-in definitions by default). */
  kindSchema?: () => KindSchema;
  now?: () => Date;
}

export interface ListRequest {
  predicate?: (obj: KubeObject) => boolean;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface DeleteResult {
  object: KubeObject;
  /** deleted is false when finalizers or a grace period keep the object for now. */
  deleted: boolean;
}

export interface DeleteRequest {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  /** orphanDependents is the deprecated boolean form of propagationPolicy=Orphan. */
  orphanDependents?: boolean;
}

/**
 * INTERNAL_FULL_UPDATE is the subresource name in-process callers use to write
 * spec and status together (pod binding sets nodeName and the PodScheduled
 * condition in one write, as upstream's binding REST does).
 */
export const INTERNAL_FULL_UPDATE = '*';

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
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
  readonly #converter?: VersionConverter;
  readonly #opts: ResourceRegistryOptions;
  readonly #now: () => Date;
  readonly #apiVersion: string;
  readonly #hasStatus: boolean;
  readonly #tracksGeneration: boolean;

  constructor(opts: ResourceRegistryOptions) {
    const def = opts.definition;
    this.definition = def;
    this.info = def.info;
    this.gr = { group: def.info.group, resource: def.info.plural };
    this.#store = opts.store;
    this.#strategy = def.strategy;
    this.#hooks = opts.hooks ?? {};
    this.#converter = def.converter;
    this.#opts = opts;
    this.#now = opts.now ?? (() => new Date());
    this.#apiVersion = apiVersionOf(def.info);
    this.#hasStatus = def.info.subresources.includes('status');
    this.#tracksGeneration = def.tracksGeneration;
    this.managedFields = new ManagedFieldsTracker(def.info, opts.kindSchema ?? (() => kindSchemaOf(def)), opts.now);
  }

  // ---------------------------------------------------------------- reads

  async get(ctx: RequestContext, name: string): Promise<KubeObject> {
    const kv = await this.#store.get(this.#key(ctx, name)).catch(translateStorageError(this.gr, name));
    if (!kv) throw newNotFound(this.gr, name);
    return await this.#fromStorage(decodeObject(kv));
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
    const limit = req.limit && req.limit > 0 ? req.limit : 0;
    const items: KubeObject[] = [];
    let continueAfter: string | undefined;
    let readAt = revision;
    // With a predicate a page may need several reads to fill `limit` matches,
    // as upstream's storage does; all reads happen at the first read's revision.
    for (;;) {
      const page = await this.#store
        .list({ prefix, startAfter, limit: limit ? limit - items.length + (req.predicate ? 16 : 0) : 0, revision: readAt })
        .catch((err: unknown) => {
          if (err instanceof CompactedError && req.continue) {
            throw newGone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
          }
          throw translateStorageError(this.gr, '')(err);
        });
      readAt = page.revision;
      let lastKey: string | undefined;
      for (const kv of page.items) {
        lastKey = kv.key;
        const obj = await this.#fromStorage(decodeObject(kv));
        if (req.predicate && !req.predicate(obj)) continue;
        items.push(obj);
        if (limit && items.length >= limit) break;
      }
      if (limit && items.length >= limit) {
        const more = lastKey !== page.items[page.items.length - 1]?.key || page.continueAfter !== undefined;
        continueAfter = more ? lastKey : undefined;
        break;
      }
      if (!page.continueAfter) break;
      startAfter = page.continueAfter;
    }
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
      decode: (obj) => this.#fromStorage(obj),
      list: (rv) => this.list(ctx, { predicate: req.predicate, resourceVersion: rv ? String(rv) : undefined, resourceVersionMatch: rv ? 'Exact' : undefined }),
    });
  }

  // ---------------------------------------------------------------- create

  async create(ctx: RequestContext, input: KubeObject): Promise<KubeObject> {
    this.#checkDecodes(input);
    const obj = this.#checkTypeMeta(input);
    const meta = obj.metadata;
    if (this.info.namespaced) {
      if (meta.namespace && ctx.namespace && meta.namespace !== ctx.namespace) {
        throw newBadRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = ctx.namespace ?? meta.namespace;
      if (!meta.namespace) throw newBadRequest('the server could not find the requested resource (namespace is required)');
      await this.#checkNamespaceWritable(meta.namespace, meta.name ?? meta.generateName ?? '');
    } else {
      delete meta.namespace;
    }
    this.#checkUnknownFields(ctx, input);
    // Server-owned fields are reset whatever the client sent (upstream BeforeCreate).
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.resourceVersion;
    delete meta.selfLink;
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(this.#now());
    if (this.#tracksGeneration) meta.generation = 1;
    else delete meta.generation;
    // Status is the system's to write; a Node registers with its status (capacity), as upstream allows.
    if (this.#hasStatus && !this.definition.keepsStatusOnCreate) delete obj.status;
    const generated = !meta.name && !!meta.generateName;
    if (generated) meta.name = generateName(meta.generateName!);
    // Upstream defaults at decode time, before the strategy's PrepareForCreate.
    this.#strategy.default?.(obj);
    this.#strategy.prepareForCreate?.(obj, ctx);
    this.managedFields.recordWrite(ctx, undefined, obj, input);
    const attrs = { operation: 'CREATE' as const, resource: this.info, object: obj, ctx };
    await this.#opts.admission?.admit(attrs);
    this.#validate(obj, [...this.#opts.validateMeta(obj, this.info), ...(this.#strategy.validate?.(obj) ?? [])]);
    await this.#opts.admission?.validate(attrs);
    await this.#hooks.beforeCreate?.(obj, ctx);
    if (ctx.dryRun) {
      this.#hooks.afterFailedCreate?.(obj);
      return await this.#fromStorage(obj);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const kv = await this.#store.create(this.#key(ctx, meta.name!), encodeObject(await this.#toStorage(obj)));
        this.#opts.onWritten?.();
        return await this.#fromStorage(decodeObject(kv));
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
    this.#checkDecodes(input);
    const obj = this.#checkTypeMeta(input);
    if (obj.metadata.name && obj.metadata.name !== name) {
      throw newBadRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (this.info.namespaced && obj.metadata.namespace && ctx.namespace && obj.metadata.namespace !== ctx.namespace) {
      throw newBadRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    this.#checkUnknownFields(ctx, input);
    return this.#guaranteedUpdate(ctx, name, obj.metadata.resourceVersion, () => obj, subresource);
  }

  /**
   * guaranteedUpdate reads the current object, applies `mutate` and writes it
   * back, retrying on a write conflict when the caller did not pin a
   * resourceVersion (PATCH and internal read-modify-write), as upstream's
   * GuaranteedUpdate does.
   */
  async #guaranteedUpdate(
    ctx: RequestContext,
    name: string,
    expectedRV: string | undefined,
    mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    subresource?: string,
  ): Promise<KubeObject> {
    const key = this.#key(ctx, name);
    for (let attempt = 0; attempt < 16; attempt++) {
      const kv = await this.#store.get(key).catch(translateStorageError(this.gr, name));
      if (!kv) throw newNotFound(this.gr, name);
      const old = await this.#fromStorage(decodeObject(kv));
      const requested = await mutate(deepClone(old));
      const pinnedRV = expectedRV ?? requested.metadata.resourceVersion;
      if (pinnedRV && pinnedRV !== String(kv.modRevision)) {
        throw newConflict(this.gr, name, conflictStaleMessage);
      }
      const next = this.#prepareUpdate(requested, old, subresource);
      this.managedFields.recordWrite(ctx, old, next, requested, subresource);
      const attrs = { operation: 'UPDATE' as const, resource: this.info, subresource, object: next, oldObject: old, ctx };
      await this.#opts.admission?.admit(attrs);
      this.#validateUpdate(next, old, subresource);
      await this.#opts.admission?.validate(attrs);
      if (this.#releasedByFinalizers(next)) return this.#finishDeletion(ctx, kv, old);
      if (sameObject(next, old)) return old; // no-op updates write nothing, as upstream
      await this.#hooks.beforeUpdate?.(next, old, ctx);
      if (ctx.dryRun) return next;
      try {
        const written = await this.#store.update(key, encodeObject(await this.#toStorage(next)), kv.modRevision);
        this.#opts.onWritten?.();
        return await this.#fromStorage(decodeObject(written));
      } catch (err) {
        if (err instanceof RevisionConflictError && !pinnedRV) continue;
        throw translateStorageError(this.gr, name)(err);
      }
    }
    throw newConflict(this.gr, name, conflictStaleMessage);
  }

  /** patchWith applies a patch function to the current object and writes the result (retrying on conflicts). */
  async patchWith(ctx: RequestContext, name: string, apply: (current: KubeObject) => KubeObject, subresource?: string): Promise<KubeObject> {
    return this.#guaranteedUpdate(ctx, name, undefined, (current) => {
      const patched = apply(current);
      if (!isPlainObject(patched) || !isPlainObject(patched.metadata)) throw newBadRequest('the patch produced an object without metadata');
      this.#checkUnknownFields(ctx, patched);
      const typed = this.#checkTypeMeta(patched);
      ManagedFieldsTracker.carryApplied(patched, typed);
      if (typed.metadata.name !== name) throw newBadRequest(`the name of the object (${String(typed.metadata.name)}) does not match the name on the URL (${name})`);
      return typed;
    }, subresource);
  }

  /** Builds the object to store from the requested one (what the caller may change, defaults, generation). */
  #prepareUpdate(requested: KubeObject, old: KubeObject, subresource?: string): KubeObject {
    let next: KubeObject;
    const own = subresource ? this.#strategy.subresources?.[subresource] : undefined;
    if (own) {
      next = own.prepareForUpdate(requested, old);
    } else if (subresource === 'status' || subresource === 'approval') {
      // A status write changes status (and annotations: upstream's status strategies keep spec and
      // labels but take annotations, which is how the deployment controller records revisions
      // without bumping generation). `approval` (CSRs) is a status write the strategy narrows.
      next = deepClone(old);
      next.status = requested.status;
      if (requested.metadata.annotations !== undefined) next.metadata.annotations = requested.metadata.annotations;
      this.#strategy.prepareForStatusUpdate?.(next, old, subresource);
    } else if (subresource === 'finalize') {
      // namespaces/finalize changes spec.finalizers only.
      next = deepClone(old);
      const spec = (next.spec ?? (next.spec = {})) as { finalizers?: string[] };
      spec.finalizers = (requested.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    } else if (subresource === INTERNAL_FULL_UPDATE) {
      next = requested;
      next.metadata.generation = old.metadata.generation;
    } else {
      next = requested;
      const m = next.metadata;
      const o = old.metadata;
      m.name = o.name;
      m.namespace = o.namespace;
      m.uid = o.uid;
      m.creationTimestamp = o.creationTimestamp;
      m.deletionTimestamp = o.deletionTimestamp;
      m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
      m.generation = o.generation;
      delete m.selfLink;
      if (this.#hasStatus) next.status = old.status;
      this.#strategy.prepareForUpdate?.(next, old);
      this.#strategy.default?.(next);
      if (this.#tracksGeneration && specChanged(next, old)) m.generation = (o.generation ?? 0) + 1;
    }
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    return next;
  }

  #validateUpdate(next: KubeObject, old: KubeObject, subresource?: string): void {
    const own = subresource ? this.#strategy.subresources?.[subresource] : undefined;
    if (own) return this.#validate(next, [...this.#opts.validateMeta(next, this.info), ...own.validateUpdate(next, old)]);
    const errs =
      subresource === 'status' || subresource === 'approval'
        ? (this.#strategy.validateStatusUpdate?.(next, old, subresource) ?? [])
        : [
            ...this.#opts.validateMeta(next, this.info),
            ...(this.#strategy.validate?.(next) ?? []),
            // Internal full writes (pod binding) set fields users may not change, as upstream's
            // BindingREST does without update validation.
            ...(subresource === INTERNAL_FULL_UPDATE ? [] : (this.#strategy.validateUpdate?.(next, old) ?? [])),
          ];
    this.#validate(next, errs);
  }

  /** releasedByFinalizers: an object being deleted goes once its last finalizer is removed. */
  #releasedByFinalizers(next: KubeObject): boolean {
    if (next.metadata.deletionTimestamp && !(next.metadata.finalizers?.length) && !this.#hasSpecFinalizers(next)) {
      // Upstream: an object being deleted is removed once its finalizers are gone,
      // and for graceful kinds (pods) only once the grace period was cut to zero by the kubelet.
      if (!this.definition.gracePeriod) return true;
      if (next.metadata.deletionGracePeriodSeconds === 0) return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- delete

  /** delete removes the object, or marks it for deletion; `deleted` tells which (upstream answers 200 vs 202). */
  async delete(ctx: RequestContext, name: string, req: DeleteRequest = {}): Promise<DeleteResult> {
    const key = this.#key(ctx, name);
    for (let attempt = 0; attempt < 16; attempt++) {
      const kv = await this.#store.get(key).catch(translateStorageError(this.gr, name));
      if (!kv) throw newNotFound(this.gr, name);
      const current = await this.#fromStorage(decodeObject(kv));
      const pre = req.preconditions;
      if (pre?.uid && pre.uid !== current.metadata.uid) {
        throw newConflict(this.gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw newConflict(this.gr, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
      }
      // Validating admission sees deletes too (NamespaceLifecycle refuses the immortal namespaces; NodeRestriction keeps a node to its own pods).
      await this.#opts.admission?.validate({ operation: 'DELETE', resource: this.info, object: current, oldObject: current, ctx });
      const next = deepClone(current);
      const changed = this.#markForDeletion(next, req);
      if (!changed.keep) {
        if (ctx.dryRun) return { object: current, deleted: true };
        return { object: await this.#finishDeletion(ctx, kv, current), deleted: true };
      }
      if (!changed.dirty) return { object: current, deleted: false };
      if (ctx.dryRun) return { object: next, deleted: false };
      try {
        const written = await this.#store.update(key, encodeObject(await this.#toStorage(next)), kv.modRevision);
        this.#opts.onWritten?.();
        return { object: await this.#fromStorage(decodeObject(written)), deleted: false };
      } catch (err) {
        if (err instanceof RevisionConflictError) continue;
        throw translateStorageError(this.gr, name)(err);
      }
    }
    throw newConflict(this.gr, name, conflictStaleMessage);
  }

  /**
   * markForDeletion decides between removing the object now and marking it
   * (deletionTimestamp) so finalizers or the kubelet finish the job, the way
   * upstream's BeforeDelete and deletion-propagation logic do.
   */
  #markForDeletion(obj: KubeObject, req: DeleteRequest): { keep: boolean; dirty: boolean } {
    const m = obj.metadata;
    let dirty = false;
    const policy = req.propagationPolicy ?? (req.orphanDependents ? 'Orphan' : undefined);
    const finalizers = new Set(m.finalizers ?? []);
    // Added once, when deletion starts; the controller that removes it finishes the delete.
    for (const f of m.deletionTimestamp ? [] : (this.definition.deletionFinalizers ?? [])) {
      if (!finalizers.has(f)) {
        finalizers.add(f);
        dirty = true;
      }
    }
    if (policy === 'Orphan' && !finalizers.has('orphan')) {
      finalizers.add('orphan');
      finalizers.delete('foregroundDeletion');
      dirty = true;
    } else if (policy === 'Foreground' && !finalizers.has('foregroundDeletion')) {
      finalizers.add('foregroundDeletion');
      finalizers.delete('orphan');
      dirty = true;
    } else if (policy === 'Background' && (finalizers.has('orphan') || finalizers.has('foregroundDeletion'))) {
      finalizers.delete('orphan');
      finalizers.delete('foregroundDeletion');
      dirty = true;
    }
    if (dirty) m.finalizers = [...finalizers];
    const grace = this.definition.gracePeriod?.(obj, req.gracePeriodSeconds) ?? 0;
    const specHeld = this.#hasSpecFinalizers(obj);
    if (grace === 0 && finalizers.size === 0 && !specHeld) return { keep: false, dirty };
    if (specHeld && (obj.status as { phase?: string } | undefined)?.phase !== 'Terminating') {
      // A namespace being deleted turns Terminating until the namespace controller empties it.
      obj.status = { ...((obj.status as object | undefined) ?? {}), phase: 'Terminating' };
      dirty = true;
    }
    if (!m.deletionTimestamp) {
      m.deletionTimestamp = rfc3339(new Date(this.#now().getTime() + grace * 1000));
      m.deletionGracePeriodSeconds = grace;
      dirty = true;
    } else if (m.deletionGracePeriodSeconds !== undefined && grace < m.deletionGracePeriodSeconds) {
      // A second delete may only shorten the grace period.
      m.deletionTimestamp = rfc3339(new Date(this.#now().getTime() + grace * 1000));
      m.deletionGracePeriodSeconds = grace;
      dirty = true;
    }
    if (grace === 0 && finalizers.size === 0 && !specHeld) return { keep: false, dirty };
    return { keep: true, dirty };
  }

  /** hasSpecFinalizers: namespaces carry finalizers in spec too (`kubernetes`), which hold their deletion. */
  #hasSpecFinalizers(obj: KubeObject): boolean {
    return (this.definition.specFinalizers?.(obj).length ?? 0) > 0;
  }

  async #finishDeletion(ctx: RequestContext, kv: KeyValue, current: KubeObject): Promise<KubeObject> {
    if (ctx.dryRun) return current;
    try {
      const gone = await this.#store.delete(kv.key, kv.modRevision);
      this.#opts.onWritten?.();
      const obj = await this.#fromStorage(JSON.parse(gone.value) as KubeObject);
      obj.metadata.resourceVersion = String(gone.modRevision);
      this.#hooks.afterDelete?.(obj);
      return obj;
    } catch (err) {
      if (err instanceof RevisionConflictError) throw newConflict(this.gr, current.metadata.name ?? '', conflictStaleMessage);
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

  // ---------------------------------------------------------------- helpers

  #key(ctx: RequestContext, name: string): string {
    if (this.info.namespaced && !ctx.namespace) throw newBadRequest('a namespace is required for namespaced resources');
    return storageKey(this.info, ctx.namespace, name);
  }

  /** toStorage converts to the storage version and puts fields in upstream's order, once per write, so reads and watches need no reordering. */
  async #toStorage(obj: KubeObject): Promise<KubeObject> {
    return inUpstreamOrder(this.#converter ? await this.#converter.toStorage(obj) : obj);
  }

  async #fromStorage(obj: KubeObject): Promise<KubeObject> {
    const out = this.#converter ? await this.#converter.fromStorage(obj) : obj;
    out.apiVersion = this.#apiVersion;
    out.kind = this.info.kind;
    return out;
  }

  /** checkTypeMeta rejects a body of the wrong kind or version, as upstream's decoder does. */
  #checkTypeMeta(input: unknown): KubeObject {
    if (!isPlainObject(input)) throw newBadRequest('the body of the request must be a JSON object');
    const obj = deepClone(input) as KubeObject;
    if (obj.kind !== undefined && obj.kind !== this.info.kind) {
      throw newBadRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${this.info.kind})`);
    }
    if (obj.apiVersion !== undefined && obj.apiVersion !== this.#apiVersion) {
      throw newBadRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${this.#apiVersion})`);
    }
    if (obj.metadata === undefined) obj.metadata = {};
    if (!isPlainObject(obj.metadata)) throw newBadRequest('metadata must be an object');
    obj.apiVersion = this.#apiVersion;
    obj.kind = this.info.kind;
    return obj;
  }

  /**
   * checkDecodes refuses a body with a wrongly typed field as upstream's
   * decoder does, before anything else looks at it (400, transformDecodeError's
   * `Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal ...`).
   */
  #checkDecodes(input: unknown): void {
    const why = this.#opts.decodeError?.(this.#apiVersion, this.info.kind, input);
    if (why) throw newBadRequest(`${this.info.kind} in version "${this.info.version}" cannot be handled as a ${this.info.kind}: ${why}`);
  }

  #checkUnknownFields(ctx: RequestContext, obj: unknown): void {
    if (ctx.fieldValidation === 'Ignore') return;
    const unknown = this.definition.findUnknownFields
      ? this.definition.findUnknownFields(obj)
      : (this.#opts.findUnknownFields?.(this.#apiVersion, this.info.kind, obj) ?? []);
    if (unknown.length === 0) return;
    if (ctx.fieldValidation === 'Strict') {
      // Upstream's decoder wording: `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: ...`.
      const parts = unknown.map((f) => `unknown field "${f}"`);
      throw newBadRequest(`${this.info.kind} in version "${this.info.version}" cannot be handled as a ${this.info.kind}: strict decoding error: ${parts.join(', ')}`);
    }
    for (const f of unknown) ctx.warnings.push(`unknown field "${f}"`);
  }

  #validate(obj: KubeObject, errs: FieldError[]): void {
    if (errs.length) throw newInvalid(this.info.kind, this.info.group, obj.metadata.name ?? obj.metadata.generateName ?? '', errs);
  }

  async #checkNamespaceWritable(namespace: string, name: string): Promise<void> {
    const state = await this.#opts.namespaceState(namespace);
    if (!state) throw newNotFound({ group: '', resource: 'namespaces' }, namespace);
    if (state === 'Terminating') {
      throw newForbidden(this.gr, name, `unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }
}

/** newStoreUnavailable: the backend could not answer (etcd unreachable or without quorum): 503 with the reason. */
export function newStoreUnavailable(err: StoreUnavailableError): StatusError {
  return newServiceUnavailable(`storage is unavailable: ${err.message}`);
}

/** translateStorageError maps storage errors to API errors once, at this boundary. */
export function translateStorageError(gr: GroupResource, name: string): (err: unknown) => never {
  return (err: unknown): never => {
    if (err instanceof StatusError) throw err;
    if (err instanceof KeyExistsError) throw newAlreadyExists(gr, name);
    if (err instanceof KeyNotFoundError) throw newNotFound(gr, name);
    if (err instanceof RevisionConflictError) throw newConflict(gr, name, conflictStaleMessage);
    if (err instanceof CompactedError) throw newGone(`too old resource version: ${err.requested} (${err.compacted})`);
    if (err instanceof FutureRevisionError) {
      throw new StatusError(504, 'Timeout', `Too large resource version: ${err.requested}, current: ${err.current}`, {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
        retryAfterSeconds: 1,
      });
    }
    if (err instanceof StoreUnavailableError) throw newStoreUnavailable(err);
    if (err instanceof StorageError) throw newInternalError(err);
    throw newInternalError(err);
  };
}

function generateName(base: string): string {
  // Upstream: base truncated to 58 characters plus five random characters.
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return base.slice(0, 58) + suffix;
}

/** rfc3339 renders a time the way metav1.Time serializes: seconds precision, UTC. */
export function rfc3339(d: Date): string {
  // toISOString is always YYYY-MM-DDTHH:MM:SS.sssZ for these years; drop the milliseconds.
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** specChanged is true when anything besides metadata and status differs (drives metadata.generation). */
function specChanged(a: KubeObject, b: KubeObject): boolean {
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind') continue;
    if (!deepEqual(a[k], b[k])) return true;
  }
  return false;
}

function sameObject(a: KubeObject, b: KubeObject): boolean {
  return deepEqual(a, b);
}
