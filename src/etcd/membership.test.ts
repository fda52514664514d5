// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faultTolerance, quorumNote, addMember } from './membership.js';
import { nodeOfMember } from './member-controller.js';
import { layoutOf } from './member-config.js';
import type { EtcdClient } from '../storage/index.js';

test('the quorum rule: 2 servers tolerate no failure, 3 tolerate one, 5 two', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map(faultTolerance), [0, 0, 1, 1, 2]);
  assert.match(quorumNote(2), /2 members, quorum 2: the cluster keeps working with up to 0 servers down.*if either server stops, the other stops serving writes/);
  assert.match(quorumNote(3), /3 members, quorum 2: the cluster keeps working with up to 1 server down\.$/);
  assert.match(quorumNote(1), /Add two servers/);
});

test('member names carry the node name', () => {
  assert.equal(nodeOfMember('server-1-0a1b2c3d'), 'server-1');
  assert.equal(nodeOfMember('server-1'), undefined);
  assert.equal(nodeOfMember('s-0A1B2C3D'), undefined);
});

/** fakeCluster is an etcd Cluster API over a member list (unit test only). */
function fakeCluster(members: { ID: string; name: string; peerURLs: string[] }[], failFirst: string[] = []) {
  const calls: string[] = [];
  let id = 100;
  const client = {
    async memberList() {
      calls.push('list');
      const err = failFirst.shift();
      if (err) throw new Error(err);
      return { members: members.map((m) => ({ ...m, clientURLs: [], isLearner: false })) };
    },
    async memberAdd(peerURLs: string[]) {
      calls.push(`add ${peerURLs.join(',')}`);
      const m = { ID: String(id++), name: '', peerURLs };
      members.push(m);
      return { member: m, members: members.map((x) => ({ ...x, clientURLs: [], isLearner: false })) };
    },
    async memberRemove(ID: string) {
      calls.push(`remove ${ID}`);
      members.splice(members.findIndex((m) => m.ID === ID), 1);
      return {};
    },
  };
  return { client: client as unknown as EtcdClient, calls, members };
}

const me = layoutOf('/d', { name: 'c-00000001', nodeIP: '192.0.2.3', clientPort: 2379, peerPort: 2380 });

test('a joining member is added and starts with the whole cluster as --initial-cluster', async () => {
  const f = fakeCluster([{ ID: '1', name: 'a-00000001', peerURLs: ['https://192.0.2.1:2380'] }]);
  const initial = await addMember(f.client, me, () => undefined);
  assert.equal(initial, 'a-00000001=https://192.0.2.1:2380,c-00000001=https://192.0.2.3:2380');
  assert.deepEqual(f.calls, ['list', 'add https://192.0.2.3:2380']);
});

test('a join that stopped half-way reuses its unstarted member; a started one under our peer URL is replaced', async () => {
  const half = fakeCluster([{ ID: '1', name: 'a-00000001', peerURLs: ['https://192.0.2.1:2380'] }, { ID: '2', name: '', peerURLs: ['https://192.0.2.3:2380'] }]);
  await addMember(half.client, me, () => undefined);
  assert.deepEqual(half.calls, ['list']);
  const old = fakeCluster([{ ID: '1', name: 'a-00000001', peerURLs: ['https://192.0.2.1:2380'] }, { ID: '2', name: 'c-0000000f', peerURLs: ['https://192.0.2.3:2380'] }]);
  await addMember(old.client, me, () => undefined);
  assert.deepEqual(old.calls, ['list', 'remove 2', 'add https://192.0.2.3:2380']);
});

test('etcd calling the cluster unhealthy (a member joined moments ago) is retried', async () => {
  const f = fakeCluster([{ ID: '1', name: 'a-00000001', peerURLs: ['https://192.0.2.1:2380'] }], ['etcdserver: unhealthy cluster']);
  const logs: string[] = [];
  await addMember(f.client, me, (m) => logs.push(m));
  assert.match(logs.join('\n'), /cannot add this member yet \(etcdserver: unhealthy cluster\); retrying/);
});
