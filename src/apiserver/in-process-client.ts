// SPDX-License-Identifier: Apache-2.0
/**
 * InProcessClient is the Client of components running inside the server:
 * the same registry pipeline as HTTP requests (validation, admission,
 * storage), without HTTP or JSON. Objects in watch events are shared with
 * other watchers and must be treated as read-only.
 */
import type { KubeList, KubeObject, WatchEvent } from '../api/index.js';
import type { Client, DeleteOptions, ListOptions, PatchType, RequestOptions, ResourceRef, WatchOptions } from '../client/index.js';
import { StatusError } from '../machinery/index.js';
import { applyPatch } from '../api/index.js';
import type { APIRegistry } from './registry/api-registry.js';
import { newContext, SYSTEM_USER, type RequestContext, type UserInfo } from './registry/request-context.js';
import type { ResourceRegistry } from './registry/resource-registry.js';
import { buildPredicate } from '../machinery/index.js';
import { bindPod } from './http/subresources/binding.js';
import { evictPod } from './http/subresources/eviction.js';
import { getScale, updateScale } from './http/subresources/scale.js';
import { subresourceCreateHandlerFor } from './http/resource-handler.js';

export class InProcessClient implements Client {
  readonly #api: APIRegistry;
  readonly #user: UserInfo;

  constructor(api: APIRegistry, user: UserInfo = SYSTEM_USER) {
    this.#api = api;
    this.#user = user;
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

  async get<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, opts?: RequestOptions): Promise<T> {
    const reg = this.#reg(ref);
    if (opts?.subresource === 'scale') return (await getScale(reg, this.#ctx(opts), name)) as T;
    return (await reg.get(this.#ctx(opts), name)) as T;
  }

  async list<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: ListOptions = {}): Promise<KubeList<T>> {
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
    const reg = this.#reg(ref);
    const signal = opts.signal ?? new AbortController().signal;
    return reg.watch(
      this.#ctx(opts),
      {
        predicate: buildPredicate(reg.info, opts.labelSelector, opts.fieldSelector),
        resourceVersion: opts.resourceVersion,
        allowBookmarks: opts.allowWatchBookmarks,
        sendInitialEvents: opts.sendInitialEvents,
        timeoutSeconds: opts.timeoutSeconds,
      },
      signal,
    ) as AsyncIterable<WatchEvent<T>>;
  }

  async create<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: T, opts?: RequestOptions): Promise<T> {
    const reg = this.#reg(ref);
    const ctx = this.#ctx(opts);
    if (opts?.subresource === 'binding') return (await bindPod(reg, ctx, obj.metadata.name!, obj)) as T;
    if (opts?.subresource === 'eviction') return (await evictPod(this.#api, reg, ctx, obj.metadata.name!, obj)) as T;
    if (opts?.subresource) {
      // Subresources served by plugged handlers (serviceaccounts/token) work in-process too.
      const plugged = subresourceCreateHandlerFor(this.#api, ref.group, ref.resource, opts.subresource);
      if (plugged) return (await plugged(ctx, obj.metadata.name!, obj, reg)) as T;
      throw new StatusError(405, 'MethodNotAllowed', `create is not supported on ${opts.subresource}`);
    }
    return (await reg.create(ctx, obj)) as T;
  }

  async update<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: T, opts?: RequestOptions): Promise<T> {
    const reg = this.#reg(ref);
    const ctx = this.#ctx(opts);
    if (opts?.subresource === 'scale') return (await updateScale(reg, ctx, obj.metadata.name!, () => obj)) as T;
    return (await reg.update(ctx, obj.metadata.name!, obj, opts?.subresource)) as T;
  }

  async patch<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, type: PatchType, patch: unknown, opts?: RequestOptions): Promise<T> {
    if (type === 'apply') throw new StatusError(415, 'UnsupportedMediaType', 'server-side apply is not supported yet');
    const reg = this.#reg(ref);
    const ctx = this.#ctx(opts);
    if (opts?.subresource === 'scale') {
      return (await updateScale(reg, ctx, name, (s) => applyPatch(type, s, patch, { group: 'autoscaling', version: 'v1', kind: 'Scale' }) as KubeObject)) as T;
    }
    const gvk = { group: reg.info.group, version: reg.info.version, kind: reg.info.kind };
    return (await reg.patchWith(ctx, name, (cur) => applyPatch(type, cur, patch, gvk) as KubeObject, opts?.subresource)) as T;
  }

  async delete(ref: ResourceRef, name: string, opts?: DeleteOptions): Promise<KubeObject> {
    const { object } = await this.#reg(ref).delete(this.#ctx(opts), name, {
      gracePeriodSeconds: opts?.gracePeriodSeconds,
      propagationPolicy: opts?.propagationPolicy,
      preconditions: opts?.preconditions,
    });
    return object;
  }

  async deleteCollection(ref: ResourceRef, opts: ListOptions & DeleteOptions = {}): Promise<KubeList> {
    const reg = this.#reg(ref);
    return reg.deleteCollection(
      this.#ctx(opts),
      { predicate: buildPredicate(reg.info, opts.labelSelector, opts.fieldSelector) },
      { gracePeriodSeconds: opts.gracePeriodSeconds, propagationPolicy: opts.propagationPolicy },
    );
  }
}
