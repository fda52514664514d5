// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { AuthorizationAttributes } from '../authz.js';
import { StatusError } from '../../machinery/errors.js';
import { impersonate } from './impersonation.js';

function req(headers: Record<string, string[]>): IncomingMessage {
  const flat = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.join(', ')]));
  return { headers: flat, headersDistinct: headers } as unknown as IncomingMessage;
}

const admin = { name: 'admin', groups: ['system:authenticated'] };

test('without headers the caller stays itself; a service account user gets its groups', async () => {
  const asked: AuthorizationAttributes[] = [];
  const authz = { authorize: (a: AuthorizationAttributes) => (asked.push(a), { allowed: true }) };
  assert.equal(await impersonate(req({}), admin, authz), admin);
  const u = await impersonate(req({ 'impersonate-user': ['system:serviceaccount:ns:bot'] }), admin, authz);
  assert.deepEqual(u, { name: 'system:serviceaccount:ns:bot', uid: undefined, groups: ['system:serviceaccounts', 'system:serviceaccounts:ns', 'system:authenticated'] });
  assert.deepEqual([asked[0].resource, asked[0].namespace, asked[0].name, asked[0].verb], ['serviceaccounts', 'ns', 'bot', 'impersonate']);
  const g = await impersonate(req({ 'impersonate-user': ['jane'], 'impersonate-group': ['a', 'b'] }), admin, authz);
  assert.deepEqual(g.groups, ['a', 'b', 'system:authenticated']);
  assert.deepEqual(asked.slice(1).map((a) => `${a.resource}/${a.name}`), ['users/jane', 'groups/a', 'groups/b']);
});

test('a caller without the impersonate verb is refused with upstream wording; groups alone are a bad request', async () => {
  const deny = { authorize: () => ({ allowed: false }) };
  await assert.rejects(impersonate(req({ 'impersonate-user': ['jane'] }), admin, deny), (e: StatusError) => e.code === 403 && e.message === 'users "jane" is forbidden: User "admin" cannot impersonate resource "users" in API group "" at the cluster scope');
  await assert.rejects(impersonate(req({ 'impersonate-group': ['x'] }), admin, deny), (e: StatusError) => e.code === 400);
});

test('uids and user extras are impersonated in authentication.k8s.io, each extra value checked on its own', async () => {
  const asked: AuthorizationAttributes[] = [];
  const authz = { authorize: (a: AuthorizationAttributes) => (asked.push(a), { allowed: true }) };
  const u = await impersonate(req({ 'impersonate-user': ['jane'], 'impersonate-uid': ['u-1'], 'impersonate-extra-scopes': ['view', 'edit'], 'impersonate-extra-example.com%2fteam': ['a'] }), admin, authz);
  assert.deepEqual(u, { name: 'jane', uid: 'u-1', groups: ['system:authenticated'], extra: { scopes: ['view', 'edit'], 'example.com/team': ['a'] } });
  assert.deepEqual(asked.map((a) => `${a.group}/${a.resource}${a.subresource ? `/${a.subresource}` : ''}/${a.name}`), [
    '/users/jane', 'authentication.k8s.io/userextras/scopes/view', 'authentication.k8s.io/userextras/scopes/edit',
    'authentication.k8s.io/userextras/example.com/team/a', 'authentication.k8s.io/uids/u-1',
  ]);
  const deny = { authorize: (a: AuthorizationAttributes) => ({ allowed: a.resource !== 'userextras' }) };
  await assert.rejects(impersonate(req({ 'impersonate-user': ['jane'], 'impersonate-extra-scopes': ['view'] }), admin, deny), (e: StatusError) => e.code === 403 && /cannot impersonate resource "userextras\/scopes" in API group "authentication.k8s.io"/.test(e.message));
});
