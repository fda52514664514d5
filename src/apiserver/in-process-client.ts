// SPDX-License-Identifier: Apache-2.0
/**
 * InProcessClient is the Client of components running inside the server.
 * It takes the same pipeline as an HTTP request after authentication: the
 * call is authorized as the client's identity (the component's user), then
 * served by the same registry and subresource code (admission, validation,
 * storage), without HTTP or JSON. Objects in watch events are shared with
 * other watchers and must be treated as read-only.
 */
import type { KubeList, KubeObject, ResourceInfo, WatchEvent } from '../api/index.js';
import { applyPatch } from '../api/index.js';
import type { Client, DeleteOptions, ListOptions, PatchType, RequestOptions, ResourceRef, WatchOptions } from '../client/index.js';
import { buildPredicate, StatusError } from '../machinery/index.js';
import { forbiddenMessage, selectorAttributes, type AuthorizationAttributes, type Authorizer, type RequestSelectors } from './authz.js';
import type { APIRegistry } from './registry/api-registry.js';
import { newContext, SYSTEM_USER, type RequestContext, type UserInfo } from './registry/request-context.js';
import type { ResourceRegistry } from './registry/resource-registry.js';
import { createSubresource, readSubresource, writeSubresource } from './subresources/index.js';
import { decodeApplyBody, serverSideApply, validateWriteOptions } from './http/apply.js';

const SCALE_GVK = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

export class InProcessClient implements Client {
  readonly #api: APIRegistry;
  readonly #user: UserInfo;
  /** authorizer returns the server's current authorizer (RBAC replaces the default once ready); none means trusted. */
  readonly #authorizer?: () => Authorizer;

  constructor(api: APIRegistry, user: UserInfo = SYSTEM_USER, authorizer?: () => Authorizer) {
    this.#api = api;
    this.#user = user;
    this.#authorizer = authorizer;
  }

  #reg(ref: ResourceRef): ResourceRegistry {
    return this.#api.require(ref.group, ref.version, ref.resource);
  }

  #ctx(opts: RequestOptions | ListOptions | undefined): RequestContext {
    const o = (opts ?? {}) as RequestOptions;
    return newContext(this.#user, o.namespace, {
      dryRun: !!o.dryRun,
      fieldValidation: o.fieldValidation ?? 'Ignore',
      fieldManager: o.fieldManager,
      signal: o.signal,
    });
  }

  /**
   * authorize asks the authorizer as the HTTP path does; a synchronous answer
   * (RBAC, the superuser group) costs no extra turn of the event loop.
   */
  #authorize(verb: string, ref: ResourceRef, opts: { namespace?: string; subresource?: string } & RequestSelectors | undefined, name?: string): void | Promise<void> {
    const authorizer = this.#authorizer?.();
    if (!authorizer) return;
    const attrs: AuthorizationAttributes = {
      user: this.#user, verb, resourceRequest: true, group: ref.group, version: ref.version, resource: ref.resource,
      subresource: opts?.subresource, namespace: opts?.namespace, name,
    };
    // List, watch and deletecollection carry their selectors, as over HTTP.
    if (opts) Object.assign(attrs, selectorAttributes(verb, opts, name));
    const decision = authorizer.authorize(attrs);
    if (decision instanceof Promise) return decision.then((d) => deny(attrs, d));
    deny(attrs, decision);
  }

  async get<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, opts?: RequestOptions): Promise<T> {
    await this.#authorize('get', ref, opts, name);
    const reg = this.#reg(ref);
    const ctx = this.#ctx(opts);
    const view = readSubresource(reg, ctx, name, opts?.subresource);
    return ((await view) ?? (await reg.get(ctx, name))) as T;
  }

  async list<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: ListOptions = {}): Promise<KubeList<T>> {
    await this.#authorize('list', ref, opts);
    const reg = this.#reg(ref);
    return (await reg.list(this.#ctx(opts), {
      predicate: buildPredicate(reg.info, opts.labelSelector, opts.fieldSelector),
      limit: opts.limit,
      continue: opts.continue,
      resourceVersion: opts.resourceVersion,
      resourceVersionMatch: opts.resourceVersionMatch,
    })) as KubeList<T>;
  }

  watch<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: WatchOptions): AsyncIterable<WatchEvent<T>> {
    const authorized = this.#authorize('watch', ref, opts);
    const start = (): AsyncIterable<WatchEvent<T>> => {
      const reg = this.#reg(ref);
      return reg.watch(
        this.#ctx(opts),
        {
          predicate: buildPredicate(reg.info, opts.labelSelector, opts.fieldSelector),
          resourceVersion: opts.resourceVersion,
          allowBookmarks: opts.allowWatchBookmarks,
          sendInitialEvents: opts.sendInitialEvents,
          timeoutSeconds: opts.timeoutSeconds,
        },
        opts.signal ?? new AbortController().signal,
      ) as AsyncIterable<WatchEvent<T>>;
    };
    if (!authorized) return start();
    return afterAuthorized(authorized, start);
  }

  async create<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: T, opts?: RequestOptions): Promise<T> {
    await this.#authorize('create', ref, { namespace: opts?.namespace ?? obj.metadata.namespace, subresource: opts?.subresource }, opts?.subresource ? obj.metadata.name : undefined);
    const reg = this.#reg(ref);
    const ctx = this.#ctx(opts);
    if (opts?.subresource) return (await createSubresource(this.#api, reg, ctx, obj.metadata.name!, opts.subresource, obj)) as T;
    return (await reg.create(ctx, obj)) as T;
  }

  async update<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: T, opts?: RequestOptions): Promise<T> {
    await this.#authorize('update', ref, { namespace: opts?.namespace ?? obj.metadata.namespace, subresource: opts?.subresource }, obj.metadata.name);
    const reg = this.#reg(ref);
    const ctx = this.#ctx(opts);
    const written = writeSubresource(reg, ctx, obj.metadata.name!, opts?.subresource, () => obj);
    return ((await written) ?? (await reg.update(ctx, obj.metadata.name!, obj, opts?.subresource))) as T;
  }

  async patch<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, type: PatchType, patch: unknown, opts?: RequestOptions): Promise<T> {
    await this.#authorize('patch', ref, opts, name);
    const reg = this.#reg(ref);
    const ctx = this.#ctx(opts);
    if (type === 'apply') {
      validateWriteOptions('PatchOptions', ctx, { apply: true, force: !!opts?.force });
      const config = typeof patch === 'string' ? decodeApplyBody(patch) : (structuredClone(patch) as KubeObject);
      return (await serverSideApply(reg, ctx, name, config, !!opts?.force, opts?.subresource)).object as T;
    }
    const written = writeSubresource(reg, ctx, name, opts?.subresource, (view) => applyPatch(type, view, patch, SCALE_GVK) as KubeObject);
    if (written) return (await written) as T;
    const gvk = { group: reg.info.group, version: reg.info.version, kind: reg.info.kind };
    return (await reg.patchWith(ctx, name, (cur) => applyPatch(type, cur, patch, gvk) as KubeObject, opts?.subresource, true)) as T;
  }

  async delete(ref: ResourceRef, name: string, opts?: DeleteOptions): Promise<KubeObject> {
    await this.#authorize('delete', ref, opts, name);
    const { object } = await this.#reg(ref).delete(this.#ctx(opts), name, {
      gracePeriodSeconds: opts?.gracePeriodSeconds,
      propagationPolicy: opts?.propagationPolicy,
      preconditions: opts?.preconditions,
    });
    return object;
  }

  /** serverResources lists every served resource, custom resources included. */
  async serverResources(): Promise<readonly ResourceInfo[]> {
    return this.#api.definitions.resources();
  }

  async deleteCollection(ref: ResourceRef, opts: ListOptions & DeleteOptions = {}): Promise<KubeList> {
    await this.#authorize('deletecollection', ref, opts);
    const reg = this.#reg(ref);
    return reg.deleteCollection(
      this.#ctx(opts),
      { predicate: buildPredicate(reg.info, opts.labelSelector, opts.fieldSelector) },
      { gracePeriodSeconds: opts.gracePeriodSeconds, propagationPolicy: opts.propagationPolicy },
    );
  }
}

/**
 * afterAuthorized is the watch of an asynchronous authorization: once it is
 * allowed, each next() is the stream's own (no async generator in between,
 * which would add promise turns to every event for as long as the watch lives).
 */
function afterAuthorized<E>(authorized: Promise<void>, start: () => AsyncIterable<E>): AsyncIterableIterator<E> {
  let it: AsyncIterator<E> | undefined;
  let done = false;
  const open = async (): Promise<AsyncIterator<E> | undefined> => {
    await authorized;
    if (!done) it ??= start()[Symbol.asyncIterator]();
    return it;
  };
  return {
    next: () => {
      if (it) return it.next();
      return open().then((inner) => (inner ? inner.next() : { value: undefined, done: true }));
    },
    return: async () => {
      done = true;
      await it?.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** deny throws upstream's 403 for a refused call. */
function deny(attrs: AuthorizationAttributes, d: { allowed: boolean; reason?: string }): void {
  if (d.allowed) return;
  const msg = forbiddenMessage(attrs) + (d.reason ? `: ${d.reason}` : '');
  throw new StatusError(403, 'Forbidden', msg, { name: attrs.name, group: attrs.group, kind: attrs.resource });
}
