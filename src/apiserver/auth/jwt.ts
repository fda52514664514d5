// SPDX-License-Identifier: Apache-2.0
/**
 * Compact JWS with ES256, the only form service account tokens take here.
 * Signatures are the raw 64-byte r‖s of RFC 7518 §3.4 (Node's
 * `ieee-p1363` encoding), not DER.
 */
import { sign, verify } from 'node:crypto';
import type { SigningKey } from './signing-key.js';

/** JWTHeader is the protected header of a token. */
export interface JWTHeader {
  alg: string;
  kid?: string;
  typ?: string;
}

/** signJWT serializes claims as a compact ES256 JWS signed with `key`. */
export function signJWT(claims: object, key: SigningKey): string {
  const header: JWTHeader = { alg: 'ES256', kid: key.keyId };
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  const sig = sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

/** looksLikeJWT is a cheap shape test, so other bearer tokens skip the JSON and signature work. */
export function looksLikeJWT(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

/**
 * verifyJWT checks the signature of a compact ES256 JWS against `key` and
 * returns its claims, or a reason why not. The header must name ES256 (no
 * `none`, no algorithm chosen by the token).
 */
export function verifyJWT(token: string, key: SigningKey): { claims: Record<string, unknown> } | { error: string } {
  if (!looksLikeJWT(token)) return { error: 'malformed token' };
  const [h, p, s] = token.split('.');
  let header: JWTHeader;
  let claims: unknown;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as JWTHeader;
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return { error: 'malformed token' };
  }
  if (header.alg !== 'ES256') return { error: `unsupported signing algorithm ${JSON.stringify(header.alg)}` };
  if (header.kid !== undefined && header.kid !== key.keyId) return { error: 'token signed by an unknown key' };
  const sig = Buffer.from(s, 'base64url');
  if (sig.length !== 64 || !verify('sha256', Buffer.from(`${h}.${p}`), { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, sig)) {
    return { error: 'invalid signature' };
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return { error: 'malformed claims' };
  return { claims: claims as Record<string, unknown> };
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64url');
}
