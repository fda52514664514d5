// SPDX-License-Identifier: Apache-2.0
/**
 * Authentication: who is calling. X.509 client certificates signed by the
 * cluster CA (CN is the user, O the groups, as upstream's x509 authenticator)
 * and bearer tokens from the token table (agents joining, extra users).
 * A request with neither is anonymous and only reaches the public
 * health and version endpoints.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { timingSafeEqual } from 'node:crypto';
import type { UserInfo } from './registry/request-context.js';

/** TokenAuthenticator resolves a bearer token to a user. */
export interface TokenAuthenticator {
  authenticate(token: string): Promise<UserInfo | undefined> | UserInfo | undefined;
}

/** StaticTokens is a fixed token table (test users). */
export class StaticTokens implements TokenAuthenticator {
  readonly #tokens: { token: Buffer; user: UserInfo }[] = [];

  add(token: string, user: UserInfo): void {
    this.#tokens.push({ token: Buffer.from(token), user });
  }

  authenticate(token: string): UserInfo | undefined {
    const t = Buffer.from(token);
    for (const e of this.#tokens) if (e.token.length === t.length && timingSafeEqual(e.token, t)) return e.user;
    return undefined;
  }
}

export const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

/**
 * Users by connection: a client certificate is fixed for a TLS connection's
 * life, and parsing it (getPeerCertificate) on every request of a keep-alive
 * connection cost more than the rest of a small request.
 */
const socketUsers = new WeakMap<TLSSocket, UserInfo | null>();

function certUser(req: IncomingMessage): UserInfo | undefined {
  const socket = req.socket as TLSSocket;
  const known = socketUsers.get(socket);
  if (known !== undefined) return known ?? undefined;
  const user = readCertUser(socket);
  socketUsers.set(socket, user ?? null);
  return user;
}

function readCertUser(socket: TLSSocket): UserInfo | undefined {
  if (!socket.authorized || typeof socket.getPeerCertificate !== 'function') return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.subject) return undefined;
  const cn = cert.subject.CN;
  if (!cn) return undefined;
  const o = cert.subject.O;
  const groups = Array.isArray(o) ? o : o ? [o] : [];
  return { name: Array.isArray(cn) ? cn[0] : cn, groups: [...groups, 'system:authenticated'] };
}

const WEBSOCKET_TOKEN_PROTOCOL = 'base64url.bearer.authorization.k8s.io.';

/**
 * webSocketToken takes a bearer token offered as a WebSocket subprotocol
 * (browsers cannot set Authorization on a WebSocket) and removes that
 * protocol from the request, as upstream's websocket protocol authenticator
 * does, so it is neither echoed nor passed on to the kubelet.
 */
function webSocketToken(req: IncomingMessage): string | undefined {
  const header = req.headers['sec-websocket-protocol'];
  if (typeof header !== 'string' || !header.includes(WEBSOCKET_TOKEN_PROTOCOL)) return undefined;
  const offered = header.split(',').map((p) => p.trim());
  const encoded = offered.find((p) => p.startsWith(WEBSOCKET_TOKEN_PROTOCOL))?.slice(WEBSOCKET_TOKEN_PROTOCOL.length);
  const rest = offered.filter((p) => !p.startsWith(WEBSOCKET_TOKEN_PROTOCOL));
  if (rest.length) req.headers['sec-websocket-protocol'] = rest.join(', ');
  else delete req.headers['sec-websocket-protocol'];
  if (!encoded) return undefined;
  return Buffer.from(encoded, 'base64url').toString('utf8');
}

async function tokenUser(token: string, tokens: TokenAuthenticator[]): Promise<UserInfo | undefined> {
  for (const t of tokens) {
    const u = await t.authenticate(token);
    if (u) return { ...u, groups: [...new Set([...u.groups, 'system:authenticated'])] };
  }
  return undefined;
}

/** authenticate returns the caller, ANONYMOUS when no credential was sent, or undefined when a credential was wrong. */
export async function authenticate(req: IncomingMessage, tokens: TokenAuthenticator[]): Promise<UserInfo | undefined> {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!m) return undefined;
    return tokenUser(m[1], tokens);
  }
  const wsToken = webSocketToken(req);
  if (wsToken !== undefined) return tokenUser(wsToken, tokens);
  return certUser(req) ?? ANONYMOUS;
}
