// SPDX-License-Identifier: Apache-2.0
/**
 * RequestInfo is what a resource URL means: verb, group, version, resource,
 * namespace, name and subresource, parsed as upstream's RequestInfoFactory
 * does (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go).
 */
import { queryBool } from '../../machinery/index.js';

import { newBadRequest } from '../../machinery/index.js';

export type RequestVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'connect';

export interface ResourceRequestInfo {
  verb: RequestVerb;
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Path segments after the subresource (the proxy path of `.../proxy/some/path`). */
  rest: string[];
}

/** parseResourcePath parses `/api/v1/...` or `/apis/g/v/...`; undefined when the path is not a resource path. */
export function parseResourcePath(method: string, pathname: string, query: URLSearchParams): ResourceRequestInfo | undefined {
  const parts = pathSegments(pathname);
  let group: string;
  let version: string;
  let i: number;
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1];
    i = 2;
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1];
    version = parts[2];
    i = 3;
  } else {
    return undefined;
  }
  let legacyWatch = false;
  if (parts[i] === 'watch') {
    legacyWatch = true;
    i++;
  }
  let namespace: string | undefined;
  let resource: string;
  let name: string | undefined;
  let subresource: string | undefined;
  let rest: string[] = [];
  const tail = parts.slice(i);
  if (tail[0] === 'namespaces' && tail.length >= 3 && !(tail.length === 3 && (tail[2] === 'status' || tail[2] === 'finalize'))) {
    // /namespaces/{ns}/{resource}[/{name}[/{subresource}...]]
    namespace = tail[1];
    resource = tail[2];
    name = tail[3];
    subresource = tail[4];
    rest = tail.slice(5);
  } else {
    resource = tail[0];
    name = tail[1];
    subresource = tail[2];
    rest = tail.slice(3);
  }
  if (!resource) return undefined;
  const isWatch = legacyWatch || queryBool(query, 'watch');
  let verb: RequestVerb;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = isWatch ? 'watch' : name ? 'get' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      verb = 'connect';
  }
  // Streaming subresources are "connect" requests whatever the method.
  if (subresource && STREAMING_SUBRESOURCES.has(subresource)) {
    verb = subresource === 'log' ? 'get' : 'connect';
  }
  return { verb, group, version, resource, namespace, name, subresource, rest };
}

const STREAMING_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy', 'log']);

/** pathSegments is the path's non-empty segments, decoded (one pass: this runs for every request). */
function pathSegments(pathname: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (;;) {
    const end = pathname.indexOf('/', start);
    const stop = end < 0 ? pathname.length : end;
    if (stop > start) parts.push(decodePathSegment(pathname.slice(start, stop)));
    if (end < 0) return parts;
    start = end + 1;
  }
}

/** decodePathSegment undoes %-escapes; a malformed escape is the client's 400, as Go's URL parser refuses it. */
function decodePathSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    throw newBadRequest(`invalid URL escape in path segment ${JSON.stringify(segment)}`);
  }
}
