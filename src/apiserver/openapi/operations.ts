// SPDX-License-Identifier: Apache-2.0
/**
 * The REST operations of every served resource, derived from RESOURCES, in a
 * form that neither OpenAPI version owns; openapi.ts renders them as swagger
 * 2.0 and OpenAPI 3.0. Paths, operation ids, tags, `x-kubernetes-action` and
 * the query parameters of each verb follow upstream's generated documents.
 * Every PATCH operation of a kind lists `fieldValidation`: kubectl's
 * query-parameter verifier sends `fieldValidation=Strict` (and skips its
 * client-side validation, which needs the protobuf v2 document) only when the
 * first PATCH operation it finds for the kind lists that parameter.
 */
import type { ResourceInfo, SubresourceName } from '../../api/index.js';
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

const q = (name: string, type: ParamType, description: string): Param => ({ name, in: 'query', type, description });

/** Query parameters, with descriptions of our own wording. */
const P = {
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

const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const PATCH_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation, P.force];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];
const DELETECOLLECTION_PARAMS = [P.continue, P.dryRun, P.fieldSelector, P.gracePeriodSeconds, P.labelSelector, P.limit, P.orphanDependents, P.propagationPolicy, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds];

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
interface ResourceContext {
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

const builtinName: DefinitionNameOf = (r) => definitionName(r.group, r.version, r.kind);

function contextOf(r: ResourceInfo, nameOf: DefinitionNameOf): ResourceContext {
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

function op(c: ResourceContext, o: Omit<Operation, 'tag' | 'gvk' | 'extraCodes'> & Partial<Pick<Operation, 'gvk' | 'extraCodes'>>): Operation {
  return { tag: c.tag, gvk: c.gvk, extraCodes: [], ...o };
}

const pathParam = (name: string, description: string): Param => ({ name, in: 'path', type: 'string', required: true, description });
const NAMESPACE_PARAM = pathParam('namespace', 'object name and auth scope, such as for teams and projects');

function scopeParams(c: ResourceContext, named: boolean): Param[] {
  const out: Param[] = [];
  if (named) out.push(pathParam('name', `name of the ${c.r.kind}`));
  if (c.r.namespaced) out.push(NAMESPACE_PARAM);
  out.push(P.pretty);
  return out;
}

/** collectionPath is `.../deployments`: list, create, deletecollection. */
function collectionPath(c: ResourceContext): PathItem {
  const v = c.r.verbs;
  const ops: Operation[] = [];
  if (v.includes('list')) {
    ops.push(op(c, { method: 'get', action: 'list', operationId: `list${c.idStem}`, description: `list or watch objects of kind ${c.r.kind}`, params: LIST_PARAMS, response: c.list, streams: true }));
  }
  if (v.includes('create')) {
    ops.push(op(c, { method: 'post', action: 'post', operationId: `create${c.idStem}`, description: `create a ${c.r.kind}`, params: WRITE_PARAMS, body: c.def, response: c.def, extraCodes: ['201', '202'] }));
  }
  if (v.includes('deletecollection')) {
    ops.push(op(c, { method: 'delete', action: 'deletecollection', operationId: `deletecollection${c.idStem}`, description: `delete collection of ${c.r.kind}`, params: DELETECOLLECTION_PARAMS, body: DEF.deleteOptions, response: DEF.status }));
  }
  return { path: c.collection, params: scopeParams(c, false), operations: ops };
}

/** itemPath is `.../deployments/{name}`: read, replace, patch, delete. */
function itemPath(c: ResourceContext): PathItem {
  const v = c.r.verbs;
  const ops: Operation[] = [];
  if (v.includes('get')) ops.push(op(c, { method: 'get', action: 'get', operationId: `read${c.idStem}`, description: `read the specified ${c.r.kind}`, params: [], response: c.def }));
  if (v.includes('update')) ops.push(op(c, { method: 'put', action: 'put', operationId: `replace${c.idStem}`, description: `replace the specified ${c.r.kind}`, params: WRITE_PARAMS, body: c.def, response: c.def, extraCodes: ['201'] }));
  if (v.includes('patch')) ops.push(op(c, { method: 'patch', action: 'patch', operationId: `patch${c.idStem}`, description: `partially update the specified ${c.r.kind}`, params: PATCH_PARAMS, body: DEF.patch, response: c.def, extraCodes: ['201'], patchTypes: true }));
  if (v.includes('delete')) ops.push(op(c, { method: 'delete', action: 'delete', operationId: `delete${c.idStem}`, description: `delete a ${c.r.kind}`, params: DELETE_PARAMS, body: DEF.deleteOptions, response: DEF.status, extraCodes: ['202'] }));
  return { path: `${c.collection}/{name}`, params: scopeParams(c, true), operations: ops };
}

/** getPath is a path with one GET operation whose query parameters sit on the path, as upstream's watch paths do. */
function getPath(c: ResourceContext, path: string, params: Param[], o: Pick<Operation, 'action' | 'operationId' | 'description' | 'response'>): PathItem {
  return { path, params: [...params, ...LIST_PARAMS], operations: [op(c, { method: 'get', params: [], streams: true, ...o })] };
}

/** watchPaths are the deprecated `/watch/` forms and the all-namespaces list, which upstream still documents. */
function watchPaths(c: ResourceContext): PathItem[] {
  if (!c.r.verbs.includes('watch')) return [];
  const ns = c.r.namespaced ? '/namespaces/{namespace}' : '';
  const deprecated = "deprecated: use the 'watch' parameter with a list operation instead";
  const watchList = `watch individual changes to a list of ${c.r.kind}. ${deprecated}.`;
  const out = [
    getPath(c, `${c.base}/watch${ns}/${c.r.plural}`, scopeParams(c, false), {
      action: 'watchlist', operationId: `watch${c.idStem}List`, description: watchList, response: DEF.watchEvent,
    }),
    getPath(c, `${c.base}/watch${ns}/${c.r.plural}/{name}`, scopeParams(c, true), {
      action: 'watch', operationId: `watch${c.idStem}`, response: DEF.watchEvent,
      description: `watch changes to an object of kind ${c.r.kind}. ${deprecated}, filtered to a single item with the 'fieldSelector' parameter.`,
    }),
  ];
  if (!c.r.namespaced) return out;
  const stem = c.idStem.replace('Namespaced', '');
  out.push(
    getPath(c, `${c.base}/${c.r.plural}`, [P.pretty], {
      action: 'list', operationId: `list${stem}ForAllNamespaces`, description: `list or watch objects of kind ${c.r.kind}`, response: c.list,
    }),
    getPath(c, `${c.base}/watch/${c.r.plural}`, [P.pretty], {
      action: 'watchlist', operationId: `watch${stem}ListForAllNamespaces`, description: watchList, response: DEF.watchEvent,
    }),
  );
  return out;
}

/** resourcePaths lists every path of one served resource, subresources included. */
export function resourcePaths(r: ResourceInfo, nameOf: DefinitionNameOf = builtinName): PathItem[] {
  const c = contextOf(r, nameOf);
  const out = [collectionPath(c), itemPath(c), ...watchPaths(c)];
  for (const sub of r.subresources) out.push(...subresourcePaths(c, sub));
  return out.filter((p) => p.operations.length > 0);
}

/** groupVersionPaths lists the paths of every resource of `rows` in one group version, in table order. */
export function groupVersionPaths(group: string, version: string, rows: readonly ResourceInfo[], nameOf: DefinitionNameOf = builtinName): PathItem[] {
  return rows.filter((r) => r.group === group && r.version === version).flatMap((r) => resourcePaths(r, nameOf));
}

const coreGVK = (kind: string): GroupVersionKind => ({ group: '', version: 'v1', kind });

/** readWritePatch builds get/put/patch on a subresource whose body is `def` of kind `gvk`. */
function readWritePatch(c: ResourceContext, sub: string, def: string, gvk: GroupVersionKind): PathItem {
  const S = sub[0].toUpperCase() + sub.slice(1);
  const what = `${sub} of the specified ${c.r.kind}`;
  return {
    path: `${c.collection}/{name}/${sub}`,
    params: scopeParams(c, true),
    operations: [
      op(c, { method: 'get', action: 'get', operationId: `read${c.idStem}${S}`, description: `read ${what}`, params: [], response: def, gvk }),
      op(c, { method: 'put', action: 'put', operationId: `replace${c.idStem}${S}`, description: `replace ${what}`, params: WRITE_PARAMS, body: def, response: def, gvk, extraCodes: ['201'] }),
      op(c, { method: 'patch', action: 'patch', operationId: `patch${c.idStem}${S}`, description: `partially update ${what}`, params: PATCH_PARAMS, body: DEF.patch, response: def, gvk, extraCodes: ['201'], patchTypes: true }),
    ],
  };
}

/** createOnly builds the POST of a subresource like binding, eviction or token. */
function createOnly(c: ResourceContext, sub: string, def: string, gvk: GroupVersionKind): PathItem {
  const S = sub[0].toUpperCase() + sub.slice(1);
  return {
    path: `${c.collection}/{name}/${sub}`,
    params: scopeParams(c, true),
    operations: [op(c, { method: 'post', action: 'post', operationId: `create${c.idStem}${S}`, description: `create ${sub} of a ${c.r.kind}`, params: WRITE_PARAMS, body: def, response: def, gvk, extraCodes: ['201', '202'] })],
  };
}

const LOG_PARAMS = [
  q('container', 'string', 'The container to read logs of. Defaults to the only container of the pod.'),
  q('follow', 'boolean', 'Stream the log as it grows.'),
  q('insecureSkipTLSVerifyBackend', 'boolean', 'Do not verify the serving certificate of the kubelet the log is read from.'),
  q('limitBytes', 'integer', 'Stop after this many bytes of log.'),
  q('previous', 'boolean', 'Return the log of the previous, terminated container instance.'),
  q('sinceSeconds', 'integer', 'Only log lines newer than this many seconds.'),
  q('tailLines', 'integer', 'Only this many lines from the end of the log.'),
  q('timestamps', 'boolean', 'Prefix every line with its RFC3339 timestamp.'),
];
const EXEC_PARAMS = [
  q('command', 'string', 'The command to run, one argument per parameter.'),
  q('container', 'string', 'The container to run in. Defaults to the only container of the pod.'),
  q('stderr', 'boolean', 'Redirect the standard error stream.'),
  q('stdin', 'boolean', 'Redirect the standard input stream.'),
  q('stdout', 'boolean', 'Redirect the standard output stream.'),
  q('tty', 'boolean', 'Allocate a terminal.'),
];

/** connectPath builds a connect subresource (log, exec, attach, portforward, proxy): string in, string out. */
function connectPath(c: ResourceContext, sub: string, methods: HttpMethod[], params: Param[], optionsKind: string, suffix = ''): PathItem {
  const S = sub[0].toUpperCase() + sub.slice(1);
  const gvk = coreGVK(optionsKind);
  const verb = (m: HttpMethod): string => (m === 'get' ? 'Get' : m[0].toUpperCase() + m.slice(1));
  const operations = methods.map((m) => op(c, {
    method: m,
    action: sub === 'log' ? 'get' : 'connect',
    operationId: sub === 'log' ? `read${c.idStem}Log` : `connect${verb(m)}${c.idStem}${S}${suffix ? 'WithPath' : ''}`,
    description: sub === 'log' ? `read log of the specified ${c.r.kind}` : `connect ${m.toUpperCase()} requests to ${sub} of ${c.r.kind}`,
    params,
    gvk,
  }));
  const extra = suffix ? [pathParam('path', 'path to the resource')] : [];
  return { path: `${c.collection}/{name}/${sub}${suffix}`, params: [...scopeParams(c, true).filter((p) => p.name !== 'pretty'), ...extra], operations };
}

const PROXY_METHODS: HttpMethod[] = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'];

/** subresourcePaths maps each subresource name to its operations, as upstream serves it. */
function subresourcePaths(c: ResourceContext, sub: SubresourceName): PathItem[] {
  const pod = definitionName('', 'v1', 'Pod');
  const portParam = q('ports', 'integer', 'The ports to forward to.');
  const proxyPath = q('path', 'string', 'The URL path to use for the proxied request.');
  switch (sub) {
    case 'status': return [readWritePatch(c, 'status', c.def, c.gvk)];
    case 'approval': return [readWritePatch(c, 'approval', c.def, c.gvk)];
    case 'scale': return [readWritePatch(c, 'scale', DEF.scale, { group: 'autoscaling', version: 'v1', kind: 'Scale' })];
    case 'ephemeralcontainers': return [readWritePatch(c, 'ephemeralcontainers', pod, c.gvk)];
    case 'resize': return [readWritePatch(c, 'resize', pod, c.gvk)];
    case 'finalize': {
      // Upstream serves only PUT on namespaces/{name}/finalize.
      const item = readWritePatch(c, 'finalize', c.def, c.gvk);
      return [{ ...item, operations: item.operations.filter((o) => o.method === 'put') }];
    }
    case 'binding': return [createOnly(c, 'binding', definitionName('', 'v1', 'Binding'), coreGVK('Binding'))];
    case 'eviction': return [createOnly(c, 'eviction', 'io.k8s.api.policy.v1.Eviction', { group: 'policy', version: 'v1', kind: 'Eviction' })];
    case 'token': return [createOnly(c, 'token', 'io.k8s.api.authentication.v1.TokenRequest', { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' })];
    case 'log': return [connectPath(c, 'log', ['get'], LOG_PARAMS, `${c.r.kind}LogOptions`)];
    case 'exec': return [connectPath(c, 'exec', ['get', 'post'], EXEC_PARAMS, `${c.r.kind}ExecOptions`)];
    case 'attach': return [connectPath(c, 'attach', ['get', 'post'], EXEC_PARAMS.filter((p) => p.name !== 'command'), `${c.r.kind}AttachOptions`)];
    case 'portforward': return [connectPath(c, 'portforward', ['get', 'post'], [portParam], `${c.r.kind}PortForwardOptions`)];
    case 'proxy': return [
      connectPath(c, 'proxy', PROXY_METHODS, [proxyPath], `${c.r.kind}ProxyOptions`),
      connectPath(c, 'proxy', PROXY_METHODS, [proxyPath], `${c.r.kind}ProxyOptions`, '/{path}'),
    ];
  }
}
