// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newFixture } from '../controller-fixture.js';
import { ServiceAccountController } from './serviceaccount-controller.js';

test('Active namespaces get a default ServiceAccount; Terminating ones and those that have it do not', async () => {
  const f = newFixture([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' }, status: { phase: 'Active' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' }, status: { phase: 'Active' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'b' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'c', deletionTimestamp: '2024-01-01T00:00:00Z' }, status: { phase: 'Terminating' } },
  ]);
  const c = new ServiceAccountController({ client: f.client, factory: f.factory, clock: f.clock });
  await f.start();
  for (const ns of ['a', 'b', 'c']) await c.sync(ns);
  assert.deepEqual(f.writes(), ['create serviceaccounts a/default']);
  await f.stop();
});
