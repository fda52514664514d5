// SPDX-License-Identifier: Apache-2.0
/**
 * The paths of one served resource: collection (list, create,
 * deletecollection), item (read, replace, patch, delete), upstream's
 * deprecated `/watch/` forms and all-namespaces lists, then its subresources.
 */
import type { ResourceInfo } from '../../api/index.js';
import { builtinName, contextOf, DEF, DELETE_PARAMS, DELETECOLLECTION_PARAMS, LIST_PARAMS, op, P, PATCH_PARAMS, scopeParams, WRITE_PARAMS, type DefinitionNameOf, type Operation, type Param, type PathItem, type ResourceContext } from './operations.js';
import { subresourcePaths } from './subresource-paths.js';

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
