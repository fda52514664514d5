// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Client } from '../client/index.js';
import type { KubeObject } from '../api/index.js';
import { newNotFound } from '../machinery/index.js';
import { TokenManager } from './token-manager.js';

// A client answering TokenRequests only, as the token subresource does: what TokenManager calls.
function tokenAPI(now: () => number) {
  const calls: KubeObject[] = [];
  let accountExists = false;
  let failing = false;
  const client = {
    async create(_ref: unknown, req: KubeObject, opts: { namespace: string; subresource: string }) {
      assert.equal(opts.subresource, 'token');
      calls.push(req);
      if (!accountExists) throw newNotFound({ group: '', resource: 'serviceaccounts' }, req.metadata.name!);
      if (failing) throw new Error('connection refused');
      const exp = (req.spec as { expirationSeconds: number }).expirationSeconds;
      return { ...req, status: { token: `tok-${calls.length}`, expirationTimestamp: new Date(now() + exp * 1000).toISOString() } };
    },
  };
  return {
    // Only create is called; the rest of Client is not needed here.
    client: client as unknown as Client,
    calls,
    setAccount: (v: boolean) => (accountExists = v),
    setFailing: (v: boolean) => (failing = v),
  };
}

const pod: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { serviceAccountName: 'default', containers: [] } };
const src = { path: 'token', expirationSeconds: 3607 };

test('no account yet: fails with upstream\'s message, then succeeds once it exists; the request is bound to the pod', async () => {
  let t = Date.parse('2026-01-01T00:00:00Z');
  const api = tokenAPI(() => t);
  const m = new TokenManager(api.client, () => t);
  await assert.rejects(m.token(pod, src), { message: 'failed to fetch token: serviceaccounts "default" not found' });
  api.setAccount(true);
  assert.equal(await m.token(pod, src), 'tok-2');
  assert.deepEqual(api.calls[1].spec, { expirationSeconds: 3607, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u1' } });
  assert.deepEqual(api.calls[1].metadata, { name: 'default', namespace: 'ns' });
  t += 1000;
  assert.equal(await m.token(pod, src), 'tok-2', 'cached while fresh');
  assert.equal(api.calls.length, 2);
});

test('renewed after 80% of the lifetime; a failed renewal keeps the valid token; an expired one fails', async () => {
  let t = Date.parse('2026-01-01T00:00:00Z');
  const api = tokenAPI(() => t);
  api.setAccount(true);
  const m = new TokenManager(api.client, () => t);
  assert.equal(await m.token(pod, src), 'tok-1');
  t += 3607_000 * 0.79;
  assert.equal(await m.token(pod, src), 'tok-1');
  t += 3607_000 * 0.02;
  assert.equal(await m.token(pod, src), 'tok-2', 'renewed past 80%');
  t += 3607_000 * 0.85;
  api.setFailing(true);
  assert.equal(await m.token(pod, src), 'tok-2', 'refresh failed, still valid');
  t += 3607_000 * 0.2;
  await assert.rejects(m.token(pod, src), /expired and refresh failed: connection refused/);
  api.setFailing(false);
  m.forget('u1');
  assert.match(await m.token(pod, src), /^tok-/);
});
