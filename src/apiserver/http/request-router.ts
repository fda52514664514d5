// SPDX-License-Identifier: Apache-2.0
/**
 * routeRequest serves an authenticated request: it is authorized (upstream's
 * WithAuthorization filter: resource attributes when the path names a
 * resource, the path otherwise), then handed to the remote APIService that
 * owns its group/version, or to discovery, /metrics, OpenAPI, an extension
 * group, or the ResourceHandler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError } from '../../machinery/index.js';
import { forbiddenMessage, selectorAttributes, type AuthorizationAttributes, type Authorizer } from '../authz.js';
import type { DefinitionRegistry } from '../definitions/index.js';
import { apiGroupDoc, apiResourceList } from '../discovery.js';
import type { APIExtension } from '../extensions.js';
import type { OpenAPIDocuments } from '../openapi/index.js';
import type { UserInfo } from '../registry/request-context.js';
import type { DiscoveryEndpoint } from './discovery-endpoint.js';
import { serveOpenAPI } from './openapi-endpoint.js';
import { parseResourcePath } from './request-info.js';
import type { RequestTarget } from './request-target.js';
import { PROMETHEUS_TEXT, type RequestMetrics } from './request-metrics.js';
import type { ResourceHandler } from './resource-handler.js';
import { writeError } from './response.js';

/** RouterDeps is what routing needs from the server; authorizer is read per request (it is replaced once RBAC is ready). */
export interface RouterDeps {
  readonly authorizer: Authorizer;
  metrics: RequestMetrics;
  /** aggregator takes requests under remote APIServices' group/versions (true when it did). */
  aggregator: { serve(req: IncomingMessage, res: ServerResponse, path: string, user: UserInfo): Promise<boolean> };
  discovery: DiscoveryEndpoint;
  openapi: OpenAPIDocuments;
  definitions: DefinitionRegistry;
  /** extensions is the server's live list of API groups implemented by code. */
  extensions: APIExtension[];
  resources: ResourceHandler;
  log?: (msg: string) => void;
}

export async function routeRequest(deps: RouterDeps, req: IncomingMessage, res: ServerResponse, url: RequestTarget, path: string, user: UserInfo): Promise<void> {
  const info = parseResourcePath(req.method ?? 'GET', path, url.searchParams);
  deps.metrics.observe(req, res, info);
  const attrs: AuthorizationAttributes = info
    ? { user, verb: info.verb, resourceRequest: true, group: info.group, version: info.version, resource: info.resource, subresource: info.subresource, namespace: info.namespace, name: info.name }
    : { user, verb: (req.method ?? 'GET').toLowerCase(), resourceRequest: false, path };
  if (info) Object.assign(attrs, selectorAttributes(info.verb, url.searchParams, info.name));
  const decision = await deps.authorizer.authorize(attrs);
  if (!decision.allowed) {
    const msg = forbiddenMessage(attrs) + (decision.reason ? `: ${decision.reason}` : '');
    return writeError(res, new StatusError(403, 'Forbidden', msg, info ? { name: attrs.name, group: info.group, kind: info.resource } : undefined));
  }
  // Remote APIServices' group/versions go to their servers, as kube-aggregator sits in front of the local handlers.
  if (await deps.aggregator.serve(req, res, path, user)) return;
  const { extensions } = deps;
  // A resource path is none of the documents below (they are all shorter than the shortest resource path).
  if (!info) return serveNonResource(deps, req, res, url, path);
  const ext = extensions.find((e) => e.group === info.group && e.version === info.version && e.resources.some((r) => r.name === info.resource));
  if (ext) {
    try {
      return await ext.handle(req, res, info, url.searchParams, user);
    } catch (err) {
      return writeError(res, err, deps.log);
    }
  }
  await deps.resources.handle(req, res, info, url.searchParams, user);
}

/** serveNonResource answers the API's documents (discovery, /metrics, OpenAPI), or 404. */
function serveNonResource(deps: RouterDeps, req: IncomingMessage, res: ServerResponse, url: RequestTarget, path: string): void | Promise<void> {
  if (path === '/api' || path === '/apis') return deps.discovery.serveRoot(req, res, path);
  if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
    const text = deps.metrics.render();
    res.writeHead(200, { 'Content-Type': PROMETHEUS_TEXT, 'Content-Length': Buffer.byteLength(text) });
    return void res.end(req.method === 'HEAD' ? undefined : text);
  }
  if (path.startsWith('/openapi/')) return serveOpenAPI(req, res, path, url, deps.openapi);
  const parts = path.split('/').filter(Boolean);
  const { definitions: defs, extensions } = deps;
  if (parts[0] === 'api' && parts.length === 2) return deps.discovery.serveDocument(res, path, () => apiResourceList('', parts[1], extensions, defs));
  if (parts[0] === 'apis' && parts.length === 2) return deps.discovery.serveDocument(res, path, () => apiGroupDoc(parts[1], extensions, defs));
  if (parts[0] === 'apis' && parts.length === 3) return deps.discovery.serveDocument(res, path, () => apiResourceList(parts[1], parts[2], extensions, defs));
  writeError(res, new StatusError(404, 'NotFound', 'the server could not find the requested resource'));
}
