// SPDX-License-Identifier: Apache-2.0
/**
 * handleUpgrade serves the API server's connection upgrades: watches over
 * WebSocket (browsers) and exec/attach/port-forward, each authenticated and
 * authorized (`create` on the subresource for streams, as upstream checks
 * upgrades) before the component that streams is handed the socket.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { StatusError } from '../../machinery/index.js';
import { ANONYMOUS, authenticate, type TokenAuthenticator } from '../authn.js';
import { forbiddenMessage, selectorAttributes, type AuthorizationAttributes, type Authorizer } from '../authz.js';
import type { UserInfo } from '../registry/request-context.js';
import { parseResourcePath } from './request-info.js';
import type { ResourceHandler } from './resource-handler.js';
import { writeUpgradeError } from './response.js';

/** UpgradeDeps is what an upgrade needs from the server, read when the upgrade arrives. */
export interface UpgradeDeps {
  tokens: TokenAuthenticator[];
  impersonator?: (req: IncomingMessage, user: UserInfo, authorizer: Authorizer) => Promise<UserInfo>;
  authorizer: Authorizer;
  resources: ResourceHandler;
  upgradeHandler?: (req: IncomingMessage, socket: Socket, head: Buffer, user: UserInfo) => Promise<boolean>;
  /** aggregator takes upgrades under remote APIServices' group/versions (true when it did). */
  aggregator?: { serveUpgrade(req: IncomingMessage, socket: Socket, head: Buffer, user: UserInfo): Promise<boolean> };
}

export async function handleUpgrade(deps: UpgradeDeps, req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
  let user = await authenticate(req, deps.tokens);
  if (user && user !== ANONYMOUS && deps.impersonator) {
    try {
      user = await deps.impersonator(req, user, deps.authorizer);
    } catch {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
  }
  if (user && user !== ANONYMOUS) {
    const url = new URL(req.url ?? '/', 'https://localhost');
    // A GET upgrade with watch=true is a watch served over WebSocket (browsers), authorized as a watch.
    const watch = parseResourcePath('GET', url.pathname, url.searchParams);
    if (watch?.verb === 'watch' && !watch.subresource) {
      const attrs: AuthorizationAttributes = { user, verb: 'watch', resourceRequest: true, group: watch.group, version: watch.version, resource: watch.resource, namespace: watch.namespace, name: watch.name, ...selectorAttributes('watch', url.searchParams, watch.name) };
      const decision = await deps.authorizer.authorize(attrs);
      if (!decision.allowed) {
        return writeUpgradeError(socket, new StatusError(403, 'Forbidden', forbiddenMessage(attrs) + (decision.reason ? `: ${decision.reason}` : ''), { name: attrs.name, group: watch.group, kind: watch.resource }));
      }
      if (await deps.aggregator?.serveUpgrade(req, socket, head, user)) return;
      return deps.resources.watchWebSocket(req, socket, head, watch, url.searchParams, user);
    }
    const info = parseResourcePath('POST', url.pathname, url.searchParams);
    // A WebSocket exec/attach/portforward needs `create` on the subresource, as upstream checks for upgrades.
    const attrs: AuthorizationAttributes = info
      ? { user, verb: 'create', resourceRequest: true, group: info.group, version: info.version, resource: info.resource, subresource: info.subresource, namespace: info.namespace, name: info.name }
      : { user, verb: 'get', resourceRequest: false, path: url.pathname };
    if (!(await deps.authorizer.authorize(attrs)).allowed) {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    if (await deps.aggregator?.serveUpgrade(req, socket, head, user)) return;
  }
  if (!user || user === ANONYMOUS || !deps.upgradeHandler || !(await deps.upgradeHandler(req, socket, head, user))) {
    const code = !user || user === ANONYMOUS ? '401 Unauthorized' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${code}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  }
}
