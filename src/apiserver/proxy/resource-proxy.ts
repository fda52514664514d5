// SPDX-License-Identifier: Apache-2.0
/**
 * ResourceProxy serves services/proxy, pods/proxy and nodes/proxy
 * (`/api/v1/namespaces/NS/services/[scheme:]NAME[:PORT]/proxy/PATH`), the
 * URLs `kubectl proxy` and the dashboard use, for plain requests and
 * WebSocket upgrades. The path after `/proxy` is forwarded unchanged
 * (trailing slash included) with the query string.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestOptions } from 'node:https';
import type { Client } from '../../client/index.js';
import { StatusError } from '../../machinery/index.js';
import { parseResourcePath, type ResourceRequestInfo } from '../http/request-info.js';
import type { UserInfo } from '../registry/request-context.js';
import type { KubeletClient } from '../streaming/kubelet-client.js';
import { nodeLocation, podLocation, serviceLocation, type ProxyLocation } from './proxy-locations.js';
import { proxyRequest, proxyUpgrade, type TargetRequest } from './upgrade-aware-proxy.js';

const PROXIED: Record<string, string> = { services: 'service', pods: 'pod', nodes: 'node' };

export interface ResourceProxyOptions {
  client: Client;
  kubelets: KubeletClient;
  log?: (msg: string) => void;
}

export class ResourceProxy {
  readonly #o: ResourceProxyOptions;

  constructor(opts: ResourceProxyOptions) {
    this.#o = opts;
  }

  /** handles tells whether a request is one of the proxy subresources. */
  static handles(info: ResourceRequestInfo): boolean {
    return info.group === '' && info.subresource === 'proxy' && !!info.name && info.resource in PROXIED;
  }

  /** connect relays a plain request. */
  async connect(req: IncomingMessage, res: ServerResponse, info: ResourceRequestInfo): Promise<void> {
    const target = await this.#target(req, info);
    await proxyRequest(target, req, res);
  }

  /** upgradeHandler relays upgrade requests of the proxy subresources; false for anything else. */
  readonly upgradeHandler = async (req: IncomingMessage, socket: Socket, head: Buffer, _user: UserInfo): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const info = parseResourcePath(req.method ?? 'GET', url.pathname, url.searchParams);
    if (!info || !ResourceProxy.handles(info)) return false;
    try {
      await proxyUpgrade(await this.#target(req, info), req, socket, head);
    } catch (err) {
      const se = err instanceof StatusError ? err : new StatusError(500, 'InternalError', String(err));
      const body = JSON.stringify(se.toStatus());
      socket.end(`HTTP/1.1 ${se.code} ${se.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    return true;
  };

  async #target(req: IncomingMessage, info: ResourceRequestInfo): Promise<TargetRequest> {
    const what = PROXIED[info.resource];
    let loc: ProxyLocation;
    if (info.resource === 'services') loc = await serviceLocation(this.#o.client, info.namespace ?? '', info.name!);
    else if (info.resource === 'pods') loc = await podLocation(this.#o.client, info.namespace ?? '', info.name!);
    else loc = await nodeLocation(this.#o.client, this.#o.kubelets, info.name!);
    const path = forwardedPath(req.url ?? '/');
    if (loc.kubelet) {
      const options: RequestOptions = await this.#o.kubelets.requestOptions(loc.kubelet, path, req.method ?? 'GET');
      return { scheme: 'https', options, what };
    }
    return { scheme: loc.scheme, options: { host: loc.host, port: loc.port, path, method: req.method ?? 'GET' }, what };
  }
}

/** forwardedPath is what follows `/proxy` in the raw request URL (at least `/`), query string included. */
export function forwardedPath(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  const pathname = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = q < 0 ? '' : rawUrl.slice(q);
  const at = pathname.search(/\/proxy(\/|$)/);
  const rest = at < 0 ? '' : pathname.slice(at + '/proxy'.length);
  return (rest || '/') + query;
}
