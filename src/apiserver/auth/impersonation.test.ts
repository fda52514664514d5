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
