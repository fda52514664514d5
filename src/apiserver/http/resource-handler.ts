// SPDX-License-Identifier: Apache-2.0
/**
 * The handler for resource URLs: turns an HTTP request into one registry
 * call and writes the answer (object, list, Table or watch stream), as
 * upstream's endpoints/handlers do.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { KubeList, KubeObject } from '../../api/index.js';
import { isPlainObject } from '../../api/index.js';
import { field, newBadRequest, newInvalid, newMethodNotSupported, StatusError } from '../../machinery/index.js';
import { findTypeMismatch, goFormat, jsonDecodeMessage } from '../openapi/index.js';
import { applyPatch } from '../../api/index.js';
import { parseIncludeObject, toTable } from '../printers/index.js';
import type { APIRegistry } from '../registry/api-registry.js';
import type { DeleteRequest, ResourceRegistry } from '../registry/resource-registry.js';
import { newContext, type FieldValidation, type RequestContext, type UserInfo } from '../registry/request-context.js';
import { buildPredicate, queryBool, queryInt, queryOptionalBool } from '../../machinery/index.js';
import { httpWatchSink, serveWatch, webSocketWatchSink, type WatchRequest } from './watch-stream.js';
import { acceptsJson, decodeBody, mediaTypeOf, readBody, wantsTable, type BodyMediaType } from './body.js';
import type { ResourceRequestInfo } from './request-info.js';
import { unrecognizedObjectMessage } from './decode-error.js';
import { writeError, writeJson, writeUpgradeError } from './response.js';
import { createSubresource, readSubresource, writeSubresource } from '../subresources/index.js';

export { addSubresourceCreateHandler, type SubresourceCreateHandler } from '../subresources/index.js';

/** PodConnector serves the streaming pod subresources (log, exec, attach, portforward, proxy); the kubelet side provides it. */
export interface PodConnector {
  connect(req: IncomingMessage, res: ServerResponse, info: ResourceRequestInfo, pod: KubeObject, user: UserInfo): Promise<void>;
}

export interface ResourceHandlerOptions {
  registry: APIRegistry;
  log?: (msg: string) => void;
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

  constructor(opts: ResourceHandlerOptions) {
    this.#registry = opts.registry;
    this.#opts = opts;
  }

  /** handle serves one resource request; every failure becomes a Status answer. */
  async handle(req: IncomingMessage, res: ServerResponse, info: ResourceRequestInfo, query: URLSearchParams, user: UserInfo): Promise<void> {
    try {
      if (!acceptsJson(req)) {
        throw new StatusError(406, 'NotAcceptable', `only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
      }
      const reg = this.#registry.require(info.group, info.version, info.resource);
      if (!reg.info.namespaced && info.namespace) throw this.#notFound();
      const ctx = contextFor(user, info, query);
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
        return this.#patch(req, res, reg, info, ctx);
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
    const w = this.#watchRequest(reg, info, query, ctx, wantsTable(req));
    return serveWatch(w, httpWatchSink(res));
  }

  #watchRequest(reg: ResourceRegistry, info: ResourceRequestInfo, query: URLSearchParams, ctx: RequestContext, table: boolean): WatchRequest {
    return {
      reg, info, ctx,
      resourceVersion: query.get('resourceVersion') ?? undefined,
      labelSelector: query.get('labelSelector') ?? undefined,
      fieldSelector: query.get('fieldSelector') ?? undefined,
      allowBookmarks: queryBool(query, 'allowWatchBookmarks'),
      sendInitialEvents: queryOptionalBool(query, 'sendInitialEvents'),
      timeoutSeconds: intParam(query, 'timeoutSeconds'),
      includeObject: includeObjectOf(query),
      table: table ? reg.definition.printer : undefined,
    };
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
      w = this.#watchRequest(reg, info, query, contextFor(user, info, query), false);
    } catch (err) {
      return writeUpgradeError(socket, err);
    }
    await serveWatch(w, await webSocketWatchSink(req, socket, head));
  }

  async #create(req: IncomingMessage, res: ServerResponse, reg: ResourceRegistry, info: ResourceRequestInfo, ctx: RequestContext): Promise<void> {
    const body = await readObjectBody(req, reg.info.kind);
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
    const name = info.name;
    if (!name) throw newMethodNotSupported(reg.gr, 'update of a collection');
    const written = writeSubresource(reg, ctx, name, info.subresource, () => body);
    if (written) return writeJson(res, 200, await written);
    const sub = info.subresource === 'finalize' ? 'finalize' : info.subresource;
    const updated = await reg.update(ctx, name, body, sub);
    writeJson(res, 200, updated, ctx.warnings);
  }

  async #patch(req: IncomingMessage, res: ServerResponse, reg: ResourceRegistry, info: ResourceRequestInfo, ctx: RequestContext): Promise<void> {
    const media = mediaTypeOf(req, 'strategic-merge-patch');
    if (media === 'apply-patch') {
      throw new StatusError(415, 'UnsupportedMediaType', 'server-side apply (application/apply-patch+yaml) is not supported by this server yet; use client-side `kubectl apply`');
    }
    const type = PATCH_TYPES[media];
    if (type === 'strategic' && reg.definition.strategicMergePatch === false) {
      // Upstream serves custom resources without strategic merge (no patch strategies in their schemas).
      throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
    }
    if (!type) throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
    const patch = decodeBody(await readBody(req), 'json');
    const name = info.name;
    if (!name) throw newMethodNotSupported(reg.gr, 'patch of a collection');
    const gvk = { group: reg.info.group, version: reg.info.version, kind: reg.info.kind };
    const patched = writeSubresource(reg, ctx, name, info.subresource, (view) => applyPatch(type, view, patch, { group: 'autoscaling', version: 'v1', kind: 'Scale' }) as KubeObject);
    if (patched) return writeJson(res, 200, await patched);
    const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
    const updated = await reg.patchWith(ctx, name, (current) => checkPatchedTypes(type, apiVersion, gvk.kind, patch, applyPatch(type, current, patch, gvk) as KubeObject), info.subresource);
    writeJson(res, 200, updated, ctx.warnings);
  }

  async #delete(req: IncomingMessage, res: ServerResponse, reg: ResourceRegistry, info: ResourceRequestInfo, query: URLSearchParams, ctx: RequestContext): Promise<void> {
    if (info.subresource) throw newMethodNotSupported(reg.gr, `delete on ${info.subresource}`);
    const opts = await deleteOptionsOf(req, query);
    if (opts.dryRun) ctx.dryRun = true;
    const { object, deleted } = await reg.delete(ctx, info.name!, opts);
    // 202 Accepted while finalizers or a grace period hold the object, 200 once it is gone (upstream handlers/delete.go).
    writeJson(res, deleted ? 200 : 202, object, ctx.warnings);
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

function contextFor(user: UserInfo, info: ResourceRequestInfo, query: URLSearchParams): RequestContext {
  const fv = query.get('fieldValidation');
  let fieldValidation: FieldValidation = 'Warn';
  if (fv) {
    if (fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore') {
      throw newBadRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got ${JSON.stringify(fv)}`);
    }
    fieldValidation = fv;
  }
  const dryRun = query.getAll('dryRun');
  for (const d of dryRun) if (d !== 'All') throw newBadRequest(`Invalid dry run value "${d}": valid values are "All"`);
  return newContext(user, info.namespace, { dryRun: dryRun.length > 0, fieldValidation, fieldManager: query.get('fieldManager') ?? undefined });
}

function intParam(query: URLSearchParams, name: string): number | undefined {
  return queryInt(query, name, { min: 0 });
}

function includeObjectOf(query: URLSearchParams): 'None' | 'Metadata' | 'Object' {
  return parseIncludeObject(query.get('includeObject'));
}

async function readObjectBody(req: IncomingMessage, kind: string): Promise<KubeObject> {
  const media = mediaTypeOf(req);
  if (media !== 'json' && media !== 'yaml' && media !== 'protobuf') throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
  const buf = await readBody(req);
  let body: unknown;
  try {
    body = decodeBody(buf, media);
  } catch (err) {
    // JSON that does not parse: upstream cannot even read its kind and says what it expected.
    if (media === 'json' && err instanceof StatusError && err.message.startsWith("couldn't get version/kind")) {
      try {
        JSON.parse(buf.toString('utf8'));
      } catch (syntax) {
        throw newBadRequest(unrecognizedObjectMessage(kind, buf, syntax as Error));
      }
    }
    throw err;
  }
  if (!isPlainObject(body)) throw newBadRequest('the body of the request must be an object');
  return body as KubeObject;
}

async function deleteOptionsOf(req: IncomingMessage, query: URLSearchParams): Promise<DeleteRequest & { dryRun?: boolean }> {
  const buf = await readBody(req);
  let body: Record<string, unknown> = {};
  if (buf.length && buf.toString().trim() !== '') {
    const parsed = decodeBody(buf, mediaTypeOf(req));
    if (!isPlainObject(parsed)) throw newBadRequest('DeleteOptions must be an object');
    body = parsed;
  }
  const grace = queryInt(query, 'gracePeriodSeconds') ?? body.gracePeriodSeconds;
  const policy = query.get('propagationPolicy') ?? body.propagationPolicy;
  if (policy !== undefined && policy !== null && !['Foreground', 'Background', 'Orphan'].includes(String(policy))) {
    throw newBadRequest(`propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`);
  }
  const dry = query.getAll('dryRun').length > 0 || (Array.isArray(body.dryRun) && body.dryRun.includes('All'));
  return {
    gracePeriodSeconds: grace === undefined || grace === null ? undefined : Number(grace),
    propagationPolicy: (policy ?? undefined) as DeleteRequest['propagationPolicy'],
    preconditions: isPlainObject(body.preconditions) ? (body.preconditions as DeleteRequest['preconditions']) : undefined,
    orphanDependents: queryOptionalBool(query, 'orphanDependents') ?? body.orphanDependents === true,
    dryRun: dry,
  };
}

/**
 * checkPatchedTypes refuses a patch whose result has a wrongly typed field,
 * with upstream's 422 (patch.go): a strategic merge patch reports the patch
 * (Go's %+v of it) and the unstructured converter's words; JSON and merge
 * patches report the patched object and encoding/json's words.
 */
function checkPatchedTypes(type: 'json' | 'merge' | 'strategic', apiVersion: string, kind: string, patch: unknown, patched: KubeObject): KubeObject {
  const m = findTypeMismatch(apiVersion, kind, patched);
  if (!m) return patched;
  const cause = type === 'strategic' ? field.invalid('patch', goFormat(patch), m.converterMessage) : field.invalid('patch', JSON.stringify(patched), jsonDecodeMessage(m));
  throw newInvalid('', '', '', [cause]);
}

