// SPDX-License-Identifier: Apache-2.0
/**
 * The front proxy side of upstream's requestheader authentication: requests
 * to an extension API server carry the caller's identity in X-Remote-User,
 * X-Remote-Group (one header per group) and X-Remote-Extra-<key> headers
 * (client-go's SetAuthProxyHeaders), over a connection authenticated with
 * the front-proxy client certificate. The extension server learns which CA
 * and names to trust from kube-system/extension-apiserver-authentication, as
 * upstream's cluster authentication trust controller publishes it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../machinery/index.js';
import type { UserInfo } from '../registry/request-context.js';

/** The names and headers published for extension servers, as kube-apiserver's defaults (kubeadm). */
export const FRONT_PROXY_CLIENT_NAME = 'front-proxy-client';
export const USERNAME_HEADER = 'X-Remote-User';
export const GROUP_HEADER = 'X-Remote-Group';
export const EXTRA_HEADER_PREFIX = 'X-Remote-Extra-';
export const AUTHENTICATION_CONFIGMAP = { namespace: 'kube-system', name: 'extension-apiserver-authentication' };

/** A user with upstream's extra attributes, which some authenticators add. */
export type UserWithExtra = UserInfo & { extra?: Record<string, string[]> };

/**
 * escapeExtraKey escapes an extra key for a header name as upstream's
 * headerKeyEscape: characters that are not header token characters (and `%`) are %-encoded.
 */
export function escapeExtraKey(key: string): string {
  let out = '';
  for (const b of Buffer.from(key, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /^[A-Za-z0-9!#$&'*+\-.^_`|~]$/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * withIdentityHeaders removes identity headers a client sent (it may not
 * speak for itself to the extension server) and impersonation headers
 * (already applied), then sets the caller's identity.
 */
export function withIdentityHeaders(headers: IncomingHttpHeaders, user: UserWithExtra): void {
  for (const k of Object.keys(headers)) {
    const l = k.toLowerCase();
    if (l === 'x-remote-user' || l === 'x-remote-group' || l.startsWith('x-remote-extra-') || l.startsWith('impersonate-')) delete headers[k];
  }
  headers['x-remote-user'] = user.name;
  if (user.groups.length) headers['x-remote-group'] = [...user.groups];
  for (const [k, values] of Object.entries(user.extra ?? {})) headers[`x-remote-extra-${escapeExtraKey(k).toLowerCase()}`] = [...values];
}

/** pemCertificates splits a PEM bundle into its certificates. */
function pemCertificates(bundle: string | undefined): string[] {
  return (bundle ?? '').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

/** mergeBundles is the union of PEM bundles, in order, without duplicates (several servers publish into one ConfigMap). */
export function mergeBundles(...bundles: (string | undefined)[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of bundles.flatMap(pemCertificates)) {
    const norm = c.replace(/\s+/g, '');
    if (seen.has(norm)) continue;
    seen.add(norm);
    out.push(c);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/** authenticationData is what this server contributes to the ConfigMap, merged with what is there. */
export function authenticationData(existing: Record<string, string>, clientCA: string, requestHeaderCA: string): Record<string, string> {
  const list = (key: string, mine: string): string => {
    let have: string[] = [];
    try {
      have = JSON.parse(existing[key] ?? '[]') as string[];
    } catch {
      have = [];
    }
    return JSON.stringify([...new Set([...(Array.isArray(have) ? have : []), mine])]);
  };
  return {
    ...existing,
    'client-ca-file': mergeBundles(existing['client-ca-file'], clientCA),
    'requestheader-client-ca-file': mergeBundles(existing['requestheader-client-ca-file'], requestHeaderCA),
    'requestheader-allowed-names': list('requestheader-allowed-names', FRONT_PROXY_CLIENT_NAME),
    'requestheader-username-headers': list('requestheader-username-headers', USERNAME_HEADER),
    'requestheader-group-headers': list('requestheader-group-headers', GROUP_HEADER),
    'requestheader-extra-headers-prefix': list('requestheader-extra-headers-prefix', EXTRA_HEADER_PREFIX),
  };
}

/**
 * publishAuthentication writes kube-system/extension-apiserver-authentication
 * (creating or merging), retrying conflicts; it throws NotFound while
 * kube-system does not exist yet, so the caller retries.
 */
export async function publishAuthentication(client: Client, clientCA: string, requestHeaderCA: string): Promise<void> {
  const { namespace, name } = AUTHENTICATION_CONFIGMAP;
  for (let attempt = 0; attempt < 5; attempt++) {
    let cm: ConfigMap | undefined;
    try {
      cm = (await client.get(R.configmaps, name, { namespace })) as ConfigMap;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const data = authenticationData(cm?.data ?? {}, clientCA, requestHeaderCA);
    try {
      if (!cm) await client.create(R.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data }, { namespace });
      else if (JSON.stringify(cm.data ?? {}) !== JSON.stringify(data)) await client.update(R.configmaps, { ...(cm as unknown as KubeObject), data }, { namespace });
      return;
    } catch (err) {
      if (!isConflict(err) && !isAlreadyExists(err)) throw err;
    }
  }
}
