// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newFixture } from '../controller-fixture.js';
import { TokensController } from './tokens-controller.js';

const tokenSecret = (name: string, sa: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token',
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, annotations: { 'kubernetes.io/service-account.name': sa } },
  ...extra,
});

test('token Secrets of an existing account are filled; those of a missing or recreated account are deleted; others are left', async () => {
  const f = newFixture([
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'dash', namespace: 'ns', uid: 'sa-1' } },
    tokenSecret('fill', 'dash'),
    tokenSecret('orphan', 'gone'),
    { ...tokenSecret('stale', 'dash'), metadata: { ...tokenSecret('stale', 'dash').metadata, annotations: { 'kubernetes.io/service-account.name': 'dash', 'kubernetes.io/service-account.uid': 'sa-0' } } },
    { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'plain', namespace: 'ns', uid: 'p' } },
  ]);
  const c = new TokensController({ client: f.client, factory: f.factory, clock: f.clock, rootCA: 'CA-PEM', generateToken: (sa, s) => `tok-${sa.metadata.name}-${s.metadata.name}` });
  await f.start();
  for (const name of ['fill', 'orphan', 'stale', 'plain']) await c.sync(`ns/${name}`);
  assert.deepEqual(f.writes().sort(), ['delete secrets ns/orphan', 'delete secrets ns/stale', 'update secrets ns/fill']);
  const filled = await f.client.get({ group: '', version: 'v1', resource: 'secrets' }, 'fill', { namespace: 'ns' });
  const data = filled.data as Record<string, string>;
  assert.equal(Buffer.from(data.token, 'base64').toString(), 'tok-dash-fill');
  assert.equal(Buffer.from(data['ca.crt'], 'base64').toString(), 'CA-PEM');
  assert.equal(Buffer.from(data.namespace, 'base64').toString(), 'ns');
  assert.equal(filled.metadata.annotations?.['kubernetes.io/service-account.uid'], 'sa-1');
  await f.stop();
});
