// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../storage/index.js';
import { APIRegistry } from './api-registry.js';
import { newContext, SYSTEM_USER } from './request-context.js';

test('cachedList sees every write through the registry at once, and hands out copies', async () => {
  const api = new APIRegistry({ store: new MemoryStore(), serviceCIDR: '10.43.0.0/16', nodePortRange: { min: 30000, max: 32767 } });
  await api.start();
  const ctx = newContext(SYSTEM_USER, 'team');
  await api.require('', 'v1', 'namespaces').create(newContext(SYSTEM_USER), { metadata: { name: 'team' } });
  assert.deepEqual(await api.cachedList('', 'v1', 'resourcequotas', 'team'), []);
  const quotas = api.require('', 'v1', 'resourcequotas');
  await quotas.create(ctx, { metadata: { name: 'q' }, spec: { hard: { pods: '2' } } });
  const once = await api.cachedList('', 'v1', 'resourcequotas', 'team');
  assert.equal(once.length, 1);
  (once[0].spec as { hard: Record<string, string> }).hard.pods = '99';
  const again = await api.cachedList('', 'v1', 'resourcequotas', 'team');
  assert.equal((again[0].spec as { hard: Record<string, string> }).hard.pods, '2', 'callers get copies');
  await quotas.delete(ctx, 'q');
  assert.deepEqual(await api.cachedList('', 'v1', 'resourcequotas', 'team'), []);
  assert.deepEqual(await api.cachedList('', 'v1', 'resourcequotas', 'other'), []);
});
