// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { R } from '../../client/client.js';
import { newFixture } from '../controller-fixture.js';
import { NamespaceController } from './namespace-controller.js';

const terminating: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gone', deletionTimestamp: '2024-01-01T00:00:00Z' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Terminating' } };

test('a Terminating namespace is emptied, then finalized', async () => {
  const f = newFixture([
    terminating,
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'gone' } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'gone' }, spec: {} },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other', namespace: 'kept' } },
  ]);
  const c = new NamespaceController({ client: f.client, factory: f.factory, clock: f.clock });
  await f.start();
  await c.sync('gone');
  const writes = f.writes();
  assert.ok(writes.includes('deletecollection configmaps gone/'));
  assert.ok(writes.includes('deletecollection pods gone/'));
  assert.equal(writes.at(-1), 'update namespaces/finalize gone');
  assert.equal(f.client.objects(R.namespaces).length, 0, 'namespace removed once finalizers are empty');
  assert.equal(f.client.objects(R.configmaps, 'kept').length, 1);
  await f.stop();
});

test('content that does not go away holds the finalizer and rechecks later', async () => {
  const f = newFixture([terminating, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'gone', finalizers: ['example.com/hold'] } }]);
  const c = new NamespaceController({ client: f.client, factory: f.factory, clock: f.clock });
  await f.start();
  // Take the key the informer queued, as a worker would.
  const key = await c.queue.get();
  await c.sync(key!);
  c.queue.done(key!);
  assert.ok(!f.writes().some((w) => w.startsWith('update namespaces/finalize')));
  assert.equal(c.queue.length, 0);
  f.clock.step(1000);
  assert.equal(c.queue.length, 1, 'rechecked after a second');
  await f.stop();
});
