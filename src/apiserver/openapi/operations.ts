// SPDX-License-Identifier: Apache-2.0
/**
 * The REST operations of every served resource, derived from RESOURCES, in a
 * form that neither OpenAPI version owns; openapi.ts renders them as swagger
 * 2.0 and OpenAPI 3.0. This file holds the vocabulary (operations, parameters,
 * names); resource-paths.ts and subresource-paths.ts build the paths. Paths, operation ids, tags, `x-kubernetes-action` and
 * the query parameters of each verb follow upstream's generated documents.
 * Every PATCH operation of a kind lists `fieldValidation`: kubectl's
 * query-parameter verifier sends `fieldValidation=Strict` (and skips its
 * client-side validation, which needs the protobuf v2 document) only when the
 * first PATCH operation it finds for the kind lists that parameter.
 */
import type { ResourceInfo } from '../../api/index.js';
import type { GroupVersionKind } from './schema.js';

/** ParamType is the JSON type of a path or query parameter. */
export type ParamType = 'string' | 'boolean' | 'integer';

/** Param is one path or query parameter. */
export interface Param {
  name: string;
  in: 'path' | 'query';
  description: string;
  type: ParamType;
  required?: boolean;
}

/** Action is upstream's `x-kubernetes-action`. */
export type Action = 'get' | 'list' | 'watch' | 'watchlist' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'connect';

/** HttpMethod is an operation's method in a path item. */
export type HttpMethod = 'get' | 'put' | 'post' | 'patch' | 'delete' | 'head' | 'options';

/** Operation is one method of one path. Schemas are definition names. */
export interface Operation {
  method: HttpMethod;
  action: Action;
  operationId: string;
  description: string;
  tag: string;
  /** x-kubernetes-group-version-kind; absent on discovery operations. */
  gvk?: GroupVersionKind;
  params: Param[];
  /** Definition name of the request body, if any. */
  body?: string;
  /** Definition name of the response (undefined: a plain string, as for logs and connect). */
  response?: string;
  /** Status codes answered besides 200. */
  extraCodes: Array<'201' | '202'>;
  /** Request content types for PATCH. */
  patchTypes?: boolean;
  /** The response is (also) a watch stream. */
  streams?: boolean;
}

/** PathItem is one URL template with its shared parameters and operations. */
export interface PathItem {
  path: string;
  params: Param[];
  operations: Operation[];
}

/** q builds a query parameter. */
export const q = (name: string, type: ParamType, description: string): Param => ({ name, in: 'query', type, description });

/** Query parameters, with descriptions of our own wording. */
export const P = {
  pretty: q('pretty', 'string', "If 'true', the output is pretty printed."),
  dryRun: q('dryRun', 'string', 'When present, the change is validated and admitted but not persisted. The only valid value is All.'),
  fieldManager: q('fieldManager', 'string', 'The name of the actor making the change, recorded in managedFields. Required for apply patches.'),
  fieldValidation: q('fieldValidation', 'string', 'How the server treats unknown or duplicate fields in the request body: Ignore drops them, Warn drops them and answers with a warning per field, Strict rejects the request.'),
  force: q('force', 'boolean', 'Force an apply patch: take ownership of fields other managers own. Must be unset for other patch types.'),
  labelSelector: q('labelSelector', 'string', 'Only objects whose labels match this selector. Defaults to everything.'),
  fieldSelector: q('fieldSelector', 'string', 'Only objects whose fields match this selector. Defaults to everything.'),
  limit: q('limit', 'integer', 'The most items to return in one list response; the rest is fetched with the continue token of the response.'),
  continue: q('continue', 'string', 'The continue token of a previous list response, to fetch the next chunk of the same consistent list.'),
  resourceVersion: q('resourceVersion', 'string', 'Constrains the resource version the request is served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions.'),
  resourceVersionMatch: q('resourceVersionMatch', 'string', 'How resourceVersion applies to a list: Exact or NotOlderThan.'),
  timeoutSeconds: q('timeoutSeconds', 'integer', 'Ends the list or watch call after this many seconds.'),
  watch: q('watch', 'boolean', 'Stream add, update and delete notifications instead of returning a list. Pair with resourceVersion.'),
  allowWatchBookmarks: q('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK watch events, which carry only a resourceVersion. Servers may send them at any time or never.'),
  sendInitialEvents: q('sendInitialEvents', 'boolean', 'Start a watch with synthetic ADDED events for the current objects, followed by a bookmark.'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer', 'Seconds to wait before the object is deleted; zero deletes immediately. Defaults to the per-object value.'),
  orphanDependents: q('orphanDependents', 'boolean', 'Deprecated, use propagationPolicy. Whether dependents are orphaned.'),
  propagationPolicy: q('propagationPolicy', 'string', 'Garbage collection of dependents: Orphan, Background or Foreground.'),
};

export const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
export const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
export const PATCH_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation, P.force];
export const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];
export const DELETECOLLECTION_PARAMS = [P.continue, P.dryRun, P.fieldSelector, P.gracePeriodSeconds, P.labelSelector, P.limit, P.orphanDependents, P.propagationPolicy, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds];

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
/** DEF holds the definition names of the meta and subresource types the paths refer to. */
export const DEF = {
  status: `${META}.Status`,
  deleteOptions: `${META}.DeleteOptions`,
  patch: `${META}.Patch`,
  watchEvent: `${META}.WatchEvent`,
  apiResourceList: `${META}.APIResourceList`,
  apiGroup: `${META}.APIGroup`,
  apiGroupList: `${META}.APIGroupList`,
  apiVersions: `${META}.APIVersions`,
  scale: 'io.k8s.api.autoscaling.v1.Scale',
  versionInfo: 'io.k8s.apimachinery.pkg.version.Info',
};

/** definitionName is the upstream definition name of a served kind (`io.k8s.api.apps.v1.Deployment`). */
export function definitionName(group: string, version: string, kind: string): string {
  const pkg = group === '' ? 'core' : group.split('.')[0];
  return `io.k8s.api.${pkg}.${version}.${kind}`;
}

/** groupPathPrefix is where a group version is served: `/api/v1` or `/apis/<group>/<version>`. */
export function groupPathPrefix(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

/** pascalGroup names a group in operation ids as upstream does: `rbac.authorization.k8s.io` → `RbacAuthorization`. */
export function pascalGroup(group: string): string {
  if (group === '') return 'Core';
  return group.replace(/\.k8s\.io$/, '').split('.').map((s) => s[0].toUpperCase() + s.slice(1)).join('');
}

/** tagOf is the operation tag of a group version: `core_v1`, `rbacAuthorization_v1`. */
export function tagOf(group: string, version: string): string {
  const p = pascalGroup(group);
  return `${p[0].toLowerCase()}${p.slice(1)}_${version}`;
}

/** ResourceContext carries the names every operation of one resource is built from. */
export interface ResourceContext {
  r: ResourceInfo;
  gvk: GroupVersionKind;
  def: string;
  list: string;
  tag: string;
  /** Operation id middle part: `AppsV1Namespaced` + kind. */
  idStem: string;
  base: string;
  collection: string;
}

/** DefinitionNameOf names the schema of a served kind (custom resources name theirs by reversed group). */
export type DefinitionNameOf = (r: ResourceInfo) => string;

/** builtinName names a built-in kind's schema. */
export const builtinName: DefinitionNameOf = (r) => definitionName(r.group, r.version, r.kind);

/** contextOf gathers the names one resource's operations are built from. */
export function contextOf(r: ResourceInfo, nameOf: DefinitionNameOf): ResourceContext {
  const base = groupPathPrefix(r.group, r.version);
  const ns = r.namespaced ? '/namespaces/{namespace}' : '';
  const def = nameOf(r);
  return {
    r,
    gvk: { group: r.group, version: r.version, kind: r.kind },
    def,
    list: `${def}List`,
    tag: tagOf(r.group, r.version),
    idStem: `${pascalGroup(r.group)}${r.version[0].toUpperCase()}${r.version.slice(1)}${r.namespaced ? 'Namespaced' : ''}${r.kind}`,
    base,
    collection: `${base}${ns}/${r.plural}`,
  };
}

/** op fills in what every operation of a resource shares. */
export function op(c: ResourceContext, o: Omit<Operation, 'tag' | 'gvk' | 'extraCodes'> & Partial<Pick<Operation, 'gvk' | 'extraCodes'>>): Operation {
  return { tag: c.tag, gvk: c.gvk, extraCodes: [], ...o };
}

/** pathParam builds a required path parameter. */
export const pathParam = (name: string, description: string): Param => ({ name, in: 'path', type: 'string', required: true, description });
const NAMESPACE_PARAM = pathParam('namespace', 'object name and auth scope, such as for teams and projects');

/** scopeParams are the name, namespace and pretty parameters of a path. */
export function scopeParams(c: ResourceContext, named: boolean): Param[] {
  const out: Param[] = [];
  if (named) out.push(pathParam('name', `name of the ${c.r.kind}`));
  if (c.r.namespaced) out.push(NAMESPACE_PARAM);
  out.push(P.pretty);
  return out;
}

/** coreGVK is a core v1 kind. */
export const coreGVK = (kind: string): GroupVersionKind => ({ group: '', version: 'v1', kind });
