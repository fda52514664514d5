// SPDX-License-Identifier: Apache-2.0
/**
 * The handler for resource URLs: turns an HTTP request into one registry
 * call and writes the answer (object, list, Table or watch stream), as
 * upstream's endpoints/handlers do.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { KubeList, KubeObject } from '../../api/index.js';
import { newBadRequest, newMethodNotSupported, StatusError } from '../../machinery/index.js';
import { applyPatch } from '../../api/index.js';
import { toTable } from '../printers/index.js';
import type { APIRegistry } from '../registry/api-registry.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import type { RequestContext, UserInfo } from '../registry/request-context.js';
import { buildPredicate } from '../../machinery/index.js';
import { httpWatchSink, serveWatch, webSocketWatchSink, type WatchRequest } from './watch-stream.js';
import { checkWatchRequest, watchRequestOf, WatchLimiter } from './watch-request.js';
import { acceptsJson, decodeBody, mediaTypeOf, readBody, wantsTable, type BodyMediaType } from './body.js';
import type { ResourceRequestInfo } from './request-info.js';
import { checkPatchedTypes, contextFor, deleteOptionsOf, includeObjectOf, intParam, parseForce, patched, readObjectBody } from './request-options.js';
import { writeError, writeJson, writeUpgradeError } from './response.js';
import { createSubresource, readSubresource, writeSubresource } from '../subresources/index.js';

import { decodeApplyBody, serverSideApply, validateWriteOptions } from './apply.js';

export { addSubresourceCreateHandler, type SubresourceCreateHandler } from '../subresources/index.js';

/** ProxyConnector serves the proxy subresources (apiserver/proxy provides it). */
export interface ProxyConnector {
  connect(req: IncomingMessage, res: ServerResponse, info: ResourceRequestInfo): Promise<void>;
}

/** PodConnector serves the streaming pod subresources (log, exec, attach, portforward, proxy); the kubelet side provides it. */
export interface PodConnector {
  connect(req: IncomingMessage, res: ServerResponse, info: ResourceRequestInfo, pod: KubeObject, user: UserInfo): Promise<void>;
}

export interface ResourceHandlerOptions {
  registry: APIRegistry;
  log?: (msg: string) => void;
  /** maxWatchesPerUser bounds the concurrent watches of one user (default 1000). */
  maxWatchesPerUser?: number;
}

const PATCH_TYPES: Partial<Record<BodyMediaType, 'json' | 'merge' | 'strategic'>> = {
  'json-patch': 'json',
  'merge-patch': 'merge',
  'strategic-merge-patch': 'strategic',
};

export class ResourceHandler {
  readonly #registry: APIRegistry;
  readonly #opts: ResourceHandlerOptions;
  /** podConnector serves log/exec/attach/port-forward once a node agent is wired in. */
  podConnector?: PodConnector;
  /** proxyConnector serves services/proxy, pods/proxy and nodes/proxy. */
  proxyConnector?: ProxyConnector;
  /** watches bounds each user's open watches. */
  readonly #watches: WatchLimiter;

  constructor(opts: ResourceHandlerOptions) {
    this.#registry = opts.registry;
    this.#opts = opts;
    this.#watches = new WatchLimiter(opts.maxWatchesPerUser ?? 1000);
  }

  /** handle serves one resource request; every failure becomes a Status answer. */
  async handle(req: IncomingMessage, res: ServerResponse, info: ResourceRequestInfo, query: URLSearchParams, user: UserInfo): Promise<void> {
    try {
      if (!acceptsJson(req)) {
        throw new StatusError(406, 'NotAcceptable', `only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
      }
      const reg = this.#registry.require(info.group, info.version, info.resource);
      if (!reg.info.namespaced && info.namespace) throw this.#notFound();
      const ctx = contextFor(user, info, query, req.headers['user-agent']);
      await this.#dispatch(req, res, reg, info, query, ctx);
    } catch (err) {
      writeError(res, err, this.#opts.log);
    }
  }

  #notFound(): StatusError {
    return new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  }

  async #dispatch(req: IncomingMessage, res: ServerResponse, reg: ResourceRegistry, info: ResourceRequestInfo, query: URLSearchParams, ctx: RequestContext): Promise<void> {
    const sub = info.subresource;
    if (sub && !reg.info.subresources.includes(sub as never)) throw this.#notFound();
    if (sub && ['log', 'exec', 'attach', 'portforward', 'proxy'].includes(sub)) return this.#connect(req, res, reg, info, ctx);
    const verb = info.verb;
    if (!sub && verb !== 'connect' && !reg.info.verbs.includes(verb)) throw newMethodNotSupported(reg.gr, verb);
    switch (verb) {
      case 'get':
        return this.#get(req, res, reg, info, query, ctx);
      case 'list':
        return this.#list(req, res, reg, query, ctx);
      case 'watch':
        return this.#watch(req, res, reg, info, query, ctx);
      case 'create':
        return this.#create(req, res, reg, info, ctx);
      case 'update':
        return this.#update(req, res, reg, info, ctx);
      case 'patch':
        return this.#patch(req, res, reg, info, query, ctx);
      case 'delete':
        return this.#delete(req, res, reg, info, query, ctx);
      case 'deletecollection':
        return this.#deleteCollection(req, res, reg, query, ctx);
      default:
        throw newMethodNotSupported(reg.gr, req.method ?? '');
    }
  }

  async #get(req: IncomingMessage, res: ServerResponse, reg: ResourceRegistry, info: ResourceRequestInfo, query: URLSearchParams, ctx: RequestContext): Promise<void> {
    const name = info.name!;
    const view = readSubresource(reg, ctx, name, info.subresource);
    if (view) return writeJson(res, 200, await view);
    const obj = await reg.get(ctx, name);
    if (wantsTable(req) && !info.subresource) {
      const table = toTable(reg.definition.printer, [obj], {
        now: new Date(),
        includeObject: includeObjectOf(query),
      });
      return writeJson(res, 200, table, ctx.warnings);
    }
    writeJson(res, 200, obj, ctx.warnings);
  }

  async #list(req: IncomingMessage, res: ServerResponse, reg: ResourceRegistry, query: URLSearchParams, ctx: RequestContext): Promise<void> {
    const list = await reg.list(ctx, {
      predicate: buildPredicate(reg.info, query.get('labelSelector') ?? undefined, query.get('fieldSelector') ?? undefined),
      limit: intParam(query, 'limit'),
      continue: query.get('continue') ?? undefined,
      resourceVersion: query.get('resourceVersion') ?? undefined,
      resourceVersionMatch: query.get('resourceVersionMatch') ?? undefined,
    });
    if (wantsTable(req)) {
      const table = toTable(reg.definition.printer, list.items, {
        now: new Date(),
        includeObject: includeObjectOf(query),
        listMeta: list.metadata,
      });
      return writeJson(res, 200, table, ctx.warnings);
    }
    // Upstream list items carry no apiVersion/kind of their own: the list's say it.
    // Set to undefined (JSON.stringify leaves them out) rather than deleted:
    // a delete turns each of 10,000 objects into a slow dictionary-mode object.
    for (const item of list.items) {
      (item as { apiVersion?: string }).apiVersion = undefined;
      (item as { kind?: string }).kind = undefined;
    }
    writeJson(res, 200, list, ctx.warnings);
  }

  #watch(req: IncomingMessage, res: ServerResponse, reg: ResourceRegistry, info: ResourceRequestInfo, query: URLSearchParams, ctx: RequestContext): Promise<void> {
    const w = watchRequestOf(reg, info, query, ctx, wantsTable(req));
    checkWatchRequest(w);
    this.#watches.admit(ctx.user.name, res);
    return serveWatch(w, httpWatchSink(res));
  }

  /**
   * watchWebSocket serves a watch over a WebSocket upgrade (browsers' live
   * views). Errors before the handshake are answered as plain HTTP Status responses.
   */
  async watchWebSocket(req: IncomingMessage, socket: Socket, head: Buffer, info: ResourceRequestInfo, query: URLSearchParams, user: UserInfo): Promise<void> {
    let w: WatchRequest;
    try {
      const reg = this.#registry.require(info.group, info.version, info.resource);
      if (!reg.info.namespaced && info.namespace) throw this.#notFound();
      if (!reg.info.verbs.includes('watch')) throw newMethodNotSupported(reg.gr, 'watch');
      w = watchRequestOf(reg, info, query, contextFor(user, info, query, req.headers['user-agent']), false);
    } catch (err) {
      return writeUpgradeError(socket, err);
    }
    await serveWatch(w, await webSocketWatchSink(req, socket, head));
  }

  async #create(req: IncomingMessage, res: ServerResponse, reg: ResourceRegistry, info: ResourceRequestInfo, ctx: RequestContext): Promise<void> {
    const body = await readObjectBody(req, reg.info.kind);
    validateWriteOptions('CreateOptions', ctx);
    if (info.subresource) {
      try {
        return writeJson(res, 201, await createSubresource(this.#registry, reg, ctx, info.name!, info.subresource, body), ctx.warnings);
      } catch (err) {
        // Upstream words a POST to a subresource without one as its generic 405.
        if (err instanceof StatusError && err.code === 405) throw newMethodNotSupported(reg.gr, `create on ${info.subresource}`);
        throw err;
      }
    }
    if (info.name) throw newMethodNotSupported(reg.gr, 'POST with a name');
    const created = await reg.create(ctx, body);
    writeJson(res, 201, created, ctx.warnings);
  }

  async #update(req: IncomingMessage, res: ServerResponse, reg: ResourceRegistry, info: ResourceRequestInfo, ctx: RequestContext): Promise<void> {
    const body = await readObjectBody(req, reg.info.kind);
    validateWriteOptions('UpdateOptions', ctx);
    const name = info.name;
    if (!name) throw newMethodNotSupported(reg.gr, 'update of a collection');
    const written = writeSubresource(reg, ctx, name, info.subresource, () => body);
    if (written) return writeJson(res, 200, await written);
    const sub = info.subresource === 'finalize' ? 'finalize' : info.subresource;
    const updated = await reg.update(ctx, name, body, sub);
    writeJson(res, 200, updated, ctx.warnings);
  }

  async #patch(req: IncomingMessage, res: ServerResponse, reg: ResourceRegistry, info: ResourceRequestInfo, query: URLSearchParams, ctx: RequestContext): Promise<void> {
    const media = mediaTypeOf(req, 'strategic-merge-patch');
    // The body is read before the options are judged, so a refusal never resets a client still sending.
    const raw = await readBody(req);
    const force = parseForce(query);
    validateWriteOptions('PatchOptions', ctx, { apply: media === 'apply-patch', force: force !== undefined });
    if (media === 'apply-patch') {
      if (!info.name) throw newMethodNotSupported(reg.gr, 'patch of a collection');
      const config = decodeApplyBody(raw.toString('utf8'));
      const applied = await serverSideApply(reg, ctx, info.name, config, force === true, info.subresource);
      return writeJson(res, applied.created ? 201 : 200, applied.object, ctx.warnings);
    }
    const type = PATCH_TYPES[media];
    if (type === 'strategic' && reg.definition.strategicMergePatch === false) {
      // Upstream serves custom resources without strategic merge (no patch strategies in their schemas).
      throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
    }
    if (!type) throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
    const patch = decodeBody(raw, 'json');
    const name = info.name;
    if (!name) throw newMethodNotSupported(reg.gr, 'patch of a collection');
    const gvk = { group: reg.info.group, version: reg.info.version, kind: reg.info.kind };
    const written = writeSubresource(reg, ctx, name, info.subresource, (view) => patched(applyPatch(type, view, patch, { group: 'autoscaling', version: 'v1', kind: 'Scale' })));
    if (written) return writeJson(res, 200, await written);
    const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
    const updated = await reg.patchWith(ctx, name, (current) => checkPatchedTypes(type, apiVersion, gvk.kind, patch, patched(applyPatch(type, current, patch, gvk))), info.subresource, true);
    writeJson(res, 200, updated, ctx.warnings);
  }

  async #delete(req: IncomingMessage, res: ServerResponse, reg: ResourceRegistry, info: ResourceRequestInfo, query: URLSearchParams, ctx: RequestContext): Promise<void> {
    if (info.subresource) throw newMethodNotSupported(reg.gr, `delete on ${info.subresource}`);
    const opts = await deleteOptionsOf(req, query);
    if (opts.dryRun) ctx.dryRun = true;
    const { object, deleted } = await reg.delete(ctx, info.name!, opts);
    // 202 only when the object stays and the caller asked for the deprecated orphanDependents=false; upstream's
    // handlers/delete.go keeps 200 for every other case so as not to break clients.
    const code = !deleted && opts.orphanDependents === false ? 202 : 200;
    writeJson(res, code, deleted && !ctx.dryRun && !reg.definition.returnsDeletedObject ? deletedStatus(reg, object) : object, ctx.warnings);
  }

  async #deleteCollection(req: IncomingMessage, res: ServerResponse, reg: ResourceRegistry, query: URLSearchParams, ctx: RequestContext): Promise<void> {
    const opts = await deleteOptionsOf(req, query);
    if (opts.dryRun) ctx.dryRun = true;
    const list: KubeList = await reg.deleteCollection(
      ctx,
      { predicate: buildPredicate(reg.info, query.get('labelSelector') ?? undefined, query.get('fieldSelector') ?? undefined) },
      opts,
    );
    writeJson(res, 200, list, ctx.warnings);
  }

  async #connect(req: IncomingMessage, res: ServerResponse, reg: ResourceRegistry, info: ResourceRequestInfo, ctx: RequestContext): Promise<void> {
    if (info.subresource === 'proxy') {
      if (!this.proxyConnector) throw new StatusError(503, 'ServiceUnavailable', `no node agent is connected to serve proxy for ${reg.info.plural}`);
      return this.proxyConnector.connect(req, res, info);
    }
    if (reg.info.kind !== 'Pod') {
      throw new StatusError(503, 'ServiceUnavailable', `${info.subresource} for ${reg.info.plural} is not available on this server yet`);
    }
    const pod = await reg.get(ctx, info.name!);
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (!nodeName) throw newBadRequest(`pod ${info.name} does not have a host assigned`);
    if (!this.podConnector) {
      throw new StatusError(503, 'ServiceUnavailable', `no node agent is connected to serve ${info.subresource} for pod ${info.name} on node ${nodeName}`);
    }
    await this.podConnector.connect(req, res, info, pod, ctx.user);
  }
}

/**
 * deletedStatus is what a kind without ReturnDeletedObject answers once the
 * object is gone (upstream's Store.finalizeDelete): a Success Status whose
 * details name the object, its group and its resource (in `kind`, as
 * upstream), and its uid, so a client can tell it is gone rather than held.
 */
function deletedStatus(reg: ResourceRegistry, gone: KubeObject): KubeObject {
  const details: Record<string, string> = { name: gone.metadata.name ?? '' };
  if (reg.info.group) details.group = reg.info.group;
  details.kind = reg.info.plural;
  if (gone.metadata.uid) details.uid = gone.metadata.uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details } as unknown as KubeObject;
}
