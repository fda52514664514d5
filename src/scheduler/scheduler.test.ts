// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.js';
import { FakeClient } from '../client/fake-client.js';
import { EventRecorder } from '../client/event-recorder.js';
import { Scheduler } from './scheduler.js';
import { makeNode, makePod } from './testdata/objects.js';

function setup(pods: Pod[], initialBackoffMs = 1000) {
  const client = new FakeClient(pods as KubeObject[]);
  const events: string[] = [];
  const recorder = { event: async (_o: KubeObject, type: string, reason: string, msg: string) => void events.push(`${type} ${reason} ${msg}`) } as unknown as EventRecorder;
  const s = new Scheduler(client, { recorder, initialBackoffMs });
  s.onNodeAdd(makeNode('n1', { cpu: '1' }));
  s.onNodeAdd(makeNode('n2', { cpu: '1' }));
  for (const p of pods) s.onPodAdd(p);
  return { client, s, events };
}

async function drain(s: Scheduler): Promise<void> {
  while (s.queue.pending > 0) {
    const qp = await s.queue.pop();
    if (qp) s.scheduleOne(qp);
  }
  await new Promise((r) => setTimeout(r, 10));
}

test('three 500m pods on two 1-CPU nodes: two bind, one is unschedulable with upstream message', async () => {
  const { client, s, events } = setup([makePod('a', { cpu: '500m' }), makePod('b', { cpu: '500m' }), makePod('c', { cpu: '500m' }), makePod('d', { cpu: '500m' }), makePod('e', { cpu: '500m' })]);
  await drain(s);
  const binds = client.mutations().filter((a) => a.subresource === 'binding');
  assert.equal(binds.length, 4);
  const msg = '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.';
  assert.ok(events.includes(`Warning FailedScheduling ${msg}`), events.join('\n'));
  assert.ok(events.some((e) => /^Normal Scheduled Successfully assigned default\/a to n[12]$/.test(e)));
  const statusPatch = client.mutations().find((a) => a.verb === 'patch' && a.name === 'e' && a.subresource === 'status');
  assert.deepEqual((statusPatch?.object as { status: { conditions: { reason: string; message: string }[] } }).status.conditions[0].message, msg);
});

test('a higher-priority pod preempts lower-priority ones and is nominated', async () => {
  const low = [makePod('l1', { cpu: '800m', nodeName: 'n1' }), makePod('l2', { cpu: '800m', nodeName: 'n2' })];
  const high = makePod('h', { cpu: '500m', spec: { priority: 1000 } });
  const { client, s, events } = setup([...low, high]);
  await drain(s);
  await new Promise((r) => setTimeout(r, 20));
  const nominate = client.mutations().find((a) => a.verb === 'patch' && a.name === 'h');
  assert.match(JSON.stringify(nominate?.object), /nominatedNodeName/);
  assert.equal(client.mutations().filter((a) => a.verb === 'delete').length, 1);
  assert.ok(events.some((e) => e.startsWith('Normal Preempted Preempted by pod uid-h on node n')));
  assert.ok(events.includes('Warning FailedScheduling 0/2 nodes are available: 2 Insufficient cpu.'));
});

test('preemptionPolicy Never and selector mismatches explain themselves', async () => {
  const never = makePod('n', { cpu: '2', spec: { preemptionPolicy: 'Never', priority: 5 } });
  const sel = makePod('s', { spec: { nodeSelector: { disk: 'ssd' } } });
  const { s, events } = setup([never, sel]);
  await drain(s);
  assert.ok(events.includes('Warning FailedScheduling 0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.'), events.join('\n'));
  assert.ok(
    events.includes("Warning FailedScheduling 0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."),
    events.join('\n'),
  );
});

test('a deleted bound pod frees room and wakes unschedulable pods', async () => {
  const { client, s } = setup([makePod('a', { cpu: '1' }), makePod('b', { cpu: '1' }), makePod('c', { cpu: '1' })], 1);
  await drain(s);
  assert.equal(client.mutations().filter((a) => a.subresource === 'binding').length, 2);
  const boundA = makePod('a', { cpu: '1', nodeName: 'n1' });
  s.onPodUpdate(makePod('a', { cpu: '1' }), boundA);
  assert.equal(s.queue.pending, 0);
  await new Promise((r) => setTimeout(r, 5));
  s.onPodDelete(boundA);
  assert.equal(s.queue.pending, 1);
  s.queue.close();
});
