// SPDX-License-Identifier: Apache-2.0
/**
 * Subresources served beside the generic registry verbs: pods/binding,
 * pods/eviction, the scale subresource of any scalable kind, and POST handlers other components plug in
 * (serviceaccounts/token). This is the one place that branches on them;
 * the HTTP handler and the in-process client both call it, so a request
 * takes the same path whichever way it comes in.
 */
import type { KubeObject } from '../../api/index.js';
import { StatusError } from '../../machinery/index.js';
import type { APIRegistry } from '../registry/api-registry.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import type { RequestContext } from '../registry/request-context.js';
import { bindPod } from './binding.js';
import { evictPod } from './eviction.js';
import { getScale, updateScale } from './scale.js';

export { scaleOf } from './scale.js';

/**
 * SubresourceCreateHandler serves POST on a subresource that a component
 * outside the generic registry implements (serviceaccounts/token); it returns
 * the object to answer with 201 Created.
 */
export type SubresourceCreateHandler = (ctx: RequestContext, name: string, body: KubeObject, reg: ResourceRegistry) => Promise<KubeObject>;

/** Plugged handlers per API registry (one server may share a process with others in tests), keyed `group/resource/subresource`. */
const plugged = new WeakMap<APIRegistry, Map<string, SubresourceCreateHandler>>();

/** addSubresourceCreateHandler plugs a POST handler for `resource/subresource` of `group` into the server owning `registry`. */
export function addSubresourceCreateHandler(registry: APIRegistry, group: string, resource: string, subresource: string, h: SubresourceCreateHandler): void {
  let m = plugged.get(registry);
  if (!m) plugged.set(registry, (m = new Map()));
  m.set(`${group}/${resource}/${subresource}`, h);
}

/** createSubresource serves POST `.../<name>/<subresource>`; 405 for a subresource that takes no POST. */
export async function createSubresource(api: APIRegistry, reg: ResourceRegistry, ctx: RequestContext, name: string, subresource: string, body: KubeObject): Promise<KubeObject> {
  if (subresource === 'binding') return bindPod(reg, ctx, name, body);
  if (subresource === 'eviction') return evictPod(api, reg, ctx, name, body);
  const h = plugged.get(api)?.get(`${reg.info.group}/${reg.info.plural}/${subresource}`);
  if (h) return h(ctx, name, body, reg);
  throw new StatusError(405, 'MethodNotAllowed', `create is not supported on ${subresource}`, { group: reg.info.group, kind: reg.info.plural });
}

/** readSubresource serves GET on a subresource served here (scale); undefined means the registry serves it. */
export function readSubresource(reg: ResourceRegistry, ctx: RequestContext, name: string, subresource: string | undefined): Promise<KubeObject> | undefined {
  return subresource === 'scale' ? getScale(reg, ctx, name) : undefined;
}

/**
 * writeSubresource serves PUT and PATCH on a subresource served here (scale):
 * `change` turns the current view into the requested one. Undefined means
 * the registry serves the subresource itself (status, finalize).
 */
export function writeSubresource(reg: ResourceRegistry, ctx: RequestContext, name: string, subresource: string | undefined, change: (current: KubeObject) => KubeObject): Promise<KubeObject> | undefined {
  return subresource === 'scale' ? updateScale(reg, ctx, name, change) : undefined;
}
