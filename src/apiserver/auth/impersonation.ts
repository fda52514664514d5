// SPDX-License-Identifier: Apache-2.0
/**
 * Impersonation (`kubectl --as`, `--as-group`), after upstream's
 * k8s.io/apiserver/pkg/endpoints/filters/impersonation.go: a caller allowed
 * the `impersonate` verb on `users`, `groups`, `uids` (or, for a service
 * account user, on that `serviceaccounts` object) acts as the named user.
 * Each requested part is authorized separately (uids and each user extra
 * value, `Impersonate-Extra-<key>`, in authentication.k8s.io, as upstream);
 * the impersonated user is authenticated, and a service account gets its
 * groups when none are asked.
 */
import type { IncomingMessage } from 'node:http';
import { StatusError, newBadRequest } from '../../machinery/index.js';
import { forbiddenMessage, type AuthorizationAttributes, type Authorizer } from '../authz.js';
import type { UserInfo } from '../registry/request-context.js';
import { SERVICE_ACCOUNT_USER_PREFIX, serviceAccountGroups } from './service-account-claims.js';

const USER_HEADER = 'impersonate-user';
const GROUP_HEADER = 'impersonate-group';
const UID_HEADER = 'impersonate-uid';
const EXTRA_PREFIX = 'impersonate-extra-';

/**
 * impersonate returns the user a request acts as: `user` itself when it
 * carries no Impersonate-* headers, the impersonated user when `user` may
 * impersonate it, or throws 403 (not allowed) or 400 (headers without a user).
 */
export async function impersonate(req: IncomingMessage, user: UserInfo, authorizer: Authorizer): Promise<UserInfo> {
  // Nearly every request has no Impersonate-* header: answer from the parsed headers without
  // building headersDistinct, which copies every header of the request into an array of its own.
  if (!hasImpersonationHeader(req)) return user;
  const name = headerValues(req, USER_HEADER)[0];
  const groups = headerValues(req, GROUP_HEADER);
  const uid = headerValues(req, UID_HEADER)[0];
  const extra = extraValues(req);
  const hasExtra = Object.keys(extra).length > 0;
  if (name === undefined) {
    if (groups.length || uid !== undefined || hasExtra) throw newBadRequest(`requested ${describe(groups, uid, hasExtra)} without impersonating a user`);
    return user;
  }
  const checks: AuthorizationAttributes[] = [
    userCheck(user, name),
    ...groups.map((g) => check(user, 'groups', g)),
    ...Object.entries(extra).flatMap(([key, values]) => values.map((v) => ({ ...check(user, 'userextras', v, AUTHENTICATION_GROUP), subresource: key }))),
    ...(uid !== undefined ? [check(user, 'uids', uid, AUTHENTICATION_GROUP)] : []),
  ];
  for (const attrs of checks) {
    const d = await authorizer.authorize(attrs);
    if (!d.allowed) throw new StatusError(403, 'Forbidden', forbiddenMessage(attrs) + (d.reason ? `: ${d.reason}` : ''), { name: attrs.name, group: attrs.group, kind: attrs.resource });
  }
  const result: string[] = [...groups];
  const sa = parseServiceAccount(name);
  if (sa && groups.length === 0) result.push(...serviceAccountGroups(sa.namespace));
  // The impersonated identity counts as authenticated unless it is the anonymous user, as upstream.
  if (name === 'system:anonymous') result.push('system:unauthenticated');
  else if (!result.includes('system:authenticated')) result.push('system:authenticated');
  return { name, uid, groups: result, ...(hasExtra ? { extra } : {}) };
}

function userCheck(user: UserInfo, name: string): AuthorizationAttributes {
  const sa = parseServiceAccount(name);
  if (!sa) return check(user, 'users', name);
  return { user, verb: 'impersonate', resourceRequest: true, group: '', version: 'v1', resource: 'serviceaccounts', namespace: sa.namespace, name: sa.name };
}

/** uids and userextras are impersonated in authentication.k8s.io; users, groups and service accounts in the core group. */
const AUTHENTICATION_GROUP = 'authentication.k8s.io';

function check(user: UserInfo, resource: string, name: string, group = ''): AuthorizationAttributes {
  return { user, verb: 'impersonate', resourceRequest: true, group, version: 'v1', resource, name };
}

/**
 * extraValues reads `Impersonate-Extra-<key>` headers: the key is the
 * header name's rest, unescaped as upstream (url.PathUnescape) and in lower
 * case as HTTP header names arrive; each header value is one value.
 */
function extraValues(req: IncomingMessage): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const h of Object.keys(req.headers)) {
    if (!h.startsWith(EXTRA_PREFIX)) continue;
    let key: string;
    try {
      key = decodeURIComponent(h.slice(EXTRA_PREFIX.length));
    } catch {
      throw newBadRequest(`malformed impersonation extra key: ${h.slice(EXTRA_PREFIX.length)}`);
    }
    (out[key] ??= []).push(...headerValues(req, h));
  }
  return out;
}

function parseServiceAccount(name: string): { namespace: string; name: string } | undefined {
  if (!name.startsWith(SERVICE_ACCOUNT_USER_PREFIX)) return undefined;
  const parts = name.slice(SERVICE_ACCOUNT_USER_PREFIX.length).split(':');
  return parts.length === 2 && parts[0] && parts[1] ? { namespace: parts[0], name: parts[1] } : undefined;
}

function hasImpersonationHeader(req: IncomingMessage): boolean {
  for (const h in req.headers) if (h === USER_HEADER || h === GROUP_HEADER || h === UID_HEADER || h.startsWith(EXTRA_PREFIX)) return true;
  return false;
}

function headerValues(req: IncomingMessage, h: string): string[] {
  // headersDistinct keeps repeated headers apart (kubectl sends one Impersonate-Group per --as-group).
  return (req.headersDistinct?.[h] ?? []).filter((x) => x !== '');
}

function describe(groups: string[], uid: string | undefined, extra: boolean): string {
  const parts: string[] = [];
  if (groups.length) parts.push(`groups ${JSON.stringify(groups)}`);
  if (uid !== undefined) parts.push(`uid ${JSON.stringify(uid)}`);
  if (extra) parts.push('extra');
  return parts.join(', ');
}
