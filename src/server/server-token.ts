// SPDX-License-Identifier: Apache-2.0
/**
 * The server token, as k3s's: `K10<sha256 of the cluster CA's public key>::server:<secret>`,
 * kept in `<data-dir>/token` by every server that runs its own etcd. A server
 * joining with it checks the CA against the hash before it sends anything,
 * then proves it holds the secret to receive the cluster's shared secrets
 * (cluster-secrets.ts). It is not a bootstrap token: agents join with
 * `skiff token create`'s tokens, which give no access to those secrets.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { caPublicKeyHash } from '../pki/index.js';
import { writeFileAtomic } from '../machinery/index.js';

export interface ServerToken {
  /** caHash is `sha256:<hex>` of the CA's public key. */
  caHash: string;
  secret: string;
}

const SERVER_TOKEN_RE = /^K10([0-9a-f]{64})::server:([A-Za-z0-9._-]{16,})$/;

export function serverTokenPath(dataDir: string): string {
  return join(dataDir, 'token');
}

/** parseServerToken reads `K10<hex>::server:<secret>`, or undefined when the text is not one. */
export function parseServerToken(text: string): ServerToken | undefined {
  const m = SERVER_TOKEN_RE.exec(text.trim());
  return m ? { caHash: `sha256:${m[1]}`, secret: m[2]! } : undefined;
}

export function formatServerToken(t: ServerToken): string {
  return `K10${t.caHash.replace(/^sha256:/, '')}::server:${t.secret}`;
}

/** ensureServerToken keeps `given` (a joining server) or the stored token, or makes one for this cluster's CA. */
export function ensureServerToken(dataDir: string, caCert: string, given?: string): ServerToken {
  const path = serverTokenPath(dataDir);
  const text = given ?? (existsSync(path) ? readFileSync(path, 'utf8') : formatServerToken({ caHash: caPublicKeyHash(caCert), secret: randomBytes(16).toString('hex') }));
  const token = parseServerToken(text);
  if (!token) throw new Error(`${path}: not a server token (K10<ca-hash>::server:<secret>)`);
  if (token.caHash !== caPublicKeyHash(caCert)) throw new Error(`the server token pins CA ${token.caHash}, but this server's CA is ${caPublicKeyHash(caCert)}`);
  writeFileAtomic(path, `${formatServerToken(token)}\n`, 0o600);
  return token;
}

/** secretMatches compares a presented secret with the token's in constant time. */
export function secretMatches(token: ServerToken, presented: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(token.secret), digest(presented));
}
