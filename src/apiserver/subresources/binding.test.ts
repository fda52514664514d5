// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/index.js';
import { StatusError } from '../../machinery/index.js';
import { MemoryStore } from '../../storage/index.js';
import { APIRegistry } from '../registry/api-registry.js';
import { newContext, SYSTEM_USER } from '../registry/request-context.js';
import { createSubresource } from './index.js';

async function setup() {
  const api = new APIRegistry({ store: new MemoryStore(), serviceCIDR: '10.43.0.0/16', nodePortRange: { min: 30000, max: 32767 } });
  await api.start();
  await api.require('', 'v1', 'namespaces').create(newContext(SYSTEM_USER), { metadata: { name: 'team' } });
  const pods = api.require('', 'v1', 'pods');
  const ctx = newContext(SYSTEM_USER, 'team');
  const pod = await pods.create(ctx, { metadata: { name: 'web', annotations: { a: '1' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  const bind = (body: Record<string, unknown>, c = ctx) => createSubresource(api, pods, c, 'web', 'binding', { apiVersion: 'v1', kind: 'Binding', ...body } as KubeObject);
  return { api, pods, ctx, pod, bind };
}

async function conflict(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof StatusError, 'refused');
  assert.equal(err.code, 409);
  return err.message;
}

test('pods/binding sets nodeName, PodScheduled=True and the Binding annotations, and leaves managedFields alone', async () => {
  const { pods, ctx, pod, bind } = await setup();
  const status = await bind({ metadata: { name: 'web', uid: pod.metadata.uid, annotations: { b: '2' } }, target: { kind: 'Node', name: 'n1' } });
  assert.equal(status.code, 201);
  const bound = await pods.get(ctx, 'web');
  assert.equal((bound.spec as { nodeName?: string }).nodeName, 'n1');
  assert.deepEqual(bound.metadata.annotations, { a: '1', b: '2' });
  const cond = (bound.status as { conditions: { type: string; status: string; lastTransitionTime?: string }[] }).conditions.find((c) => c.type === 'PodScheduled');
  assert.equal(cond?.status, 'True');
  assert.ok(cond?.lastTransitionTime);
  assert.deepEqual(bound.metadata.managedFields, pod.metadata.managedFields);
  assert.equal(bound.metadata.generation, pod.metadata.generation);
  assert.notEqual(bound.metadata.resourceVersion, pod.metadata.resourceVersion);
});

test('pods/binding refuses a bound pod, a uid or resourceVersion that differs, and writes nothing in a dry run', async () => {
  const { pods, ctx, pod, bind } = await setup();
  const target = { kind: 'Node', name: 'n1' };
  assert.match(await conflict(bind({ metadata: { name: 'web', uid: 'other' }, target })), /Precondition failed: UID in precondition: other/);
  assert.match(await conflict(bind({ metadata: { name: 'web', resourceVersion: '1' }, target })), /Precondition failed: ResourceVersion in precondition: 1/);
  await bind({ metadata: { name: 'web' }, target }, newContext(SYSTEM_USER, 'team', { dryRun: true }));
  assert.equal((await pods.get(ctx, 'web')).metadata.resourceVersion, pod.metadata.resourceVersion, 'a dry run writes nothing');
  await bind({ metadata: { name: 'web', resourceVersion: pod.metadata.resourceVersion }, target });
  assert.match(await conflict(bind({ metadata: { name: 'web' }, target: { kind: 'Node', name: 'n2' } })), /^Operation cannot be fulfilled on pods\/binding "web": pod web is already assigned to node "n1"$/);
  await assert.rejects(bind({ metadata: { name: 'other' }, target }), /does not match the name on the URL/);
});
