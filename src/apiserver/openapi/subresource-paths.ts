// SPDX-License-Identifier: Apache-2.0
/**
 * The paths of each subresource, as upstream serves it: status-like
 * get/put/patch, create-only binding/eviction/token, and the connect
 * subresources (log, exec, attach, portforward, proxy).
 */
import type { SubresourceName } from '../../api/index.js';
import type { GroupVersionKind } from './schema.js';
import { coreGVK, DEF, definitionName, op, PATCH_PARAMS, pathParam, q, scopeParams, WRITE_PARAMS, type HttpMethod, type Param, type PathItem, type ResourceContext } from './operations.js';

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
export function subresourcePaths(c: ResourceContext, sub: SubresourceName): PathItem[] {
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
