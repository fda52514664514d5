// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/object.js';
import { R } from './client.js';
import { EventRecorder } from './event-recorder.js';
import { FakeClient } from './fake-client.js';

const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'ns1', uid: 'u1', resourceVersion: '7' } };

test('event creates an upstream-shaped Event', async () => {
  const client = new FakeClient();
  const rec = new EventRecorder(client, 'replicaset-controller', { now: () => new Date('2024-05-01T10:00:00.123Z') });
  await rec.event(rs, 'Normal', 'SuccessfulCreate', 'Created pod: web-1-abcde');
  const [ev] = client.objects(R.events, 'ns1');
  assert.match(ev.metadata.name!, /^web-1\.[0-9a-f]+$/);
  assert.deepEqual(ev.involvedObject, { kind: 'ReplicaSet', name: 'web-1', namespace: 'ns1', uid: 'u1', apiVersion: 'apps/v1', resourceVersion: '7' });
  assert.deepEqual(ev.source, { component: 'replicaset-controller' });
  assert.equal(ev.reason, 'SuccessfulCreate');
  assert.equal(ev.type, 'Normal');
  assert.equal(ev.count, 1);
  assert.equal(ev.firstTimestamp, '2024-05-01T10:00:00Z');
  assert.equal(ev.reportingComponent, 'replicaset-controller');
});

test('a repeated event bumps count instead of creating another; a different message creates one', async () => {
  const client = new FakeClient();
  let t = Date.parse('2024-05-01T10:00:00Z');
  const rec = new EventRecorder(client, 'c', { now: () => new Date((t += 1000)) });
  rec.event(rs, 'Warning', 'FailedCreate', 'quota');
  rec.event(rs, 'Warning', 'FailedCreate', 'quota');
  await rec.event(rs, 'Warning', 'FailedCreate', 'quota');
  let evs = client.objects(R.events, 'ns1');
  assert.equal(evs.length, 1);
  assert.equal(evs[0].count, 3);
  assert.equal(evs[0].lastTimestamp, '2024-05-01T10:00:03Z');
  assert.equal(evs[0].firstTimestamp, '2024-05-01T10:00:01Z');
  await rec.event(rs, 'Warning', 'FailedCreate', 'other');
  evs = client.objects(R.events, 'ns1');
  assert.equal(evs.length, 2);
});

test('cluster-scoped objects get their Events in default; failures are swallowed', async () => {
  const client = new FakeClient();
  const rec = new EventRecorder(client, 'c');
  await rec.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }, 'Normal', 'Ready', 'ok');
  assert.equal(client.objects(R.events, 'default').length, 1);
  client.on('create', 'events', () => {
    throw new Error('boom');
  });
  await rec.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }, 'Normal', 'Other', 'x');
});
