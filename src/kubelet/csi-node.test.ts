// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClient } from '../client/fake-client.js';
import { R } from '../client/client.js';
import { newForbidden } from '../machinery/index.js';
import { ensureCSINode } from './csi-node.js';

test('the kubelet creates its CSINode (no drivers, owned by its Node) once, and keeps running when it cannot', async () => {
  const client = new FakeClient();
  const logs: string[] = [];
  await ensureCSINode(client, 'n1', 'uid-1', (m) => logs.push(m));
  const created = await client.get(R.csinodes, 'n1');
  assert.deepEqual(created.spec, { drivers: [] });
  assert.deepEqual(created.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'uid-1' }]);
  // Present already (a restart): nothing more is written.
  await ensureCSINode(client, 'n1', 'uid-1', (m) => logs.push(m));
  assert.equal(client.mutations().filter((a) => a.verb === 'create').length, 2, 'one create tried per start');
  assert.deepEqual(logs, ['kubelet: registered CSINode n1']);
  // Refused: logged, not thrown.
  const refused = new FakeClient();
  refused.on('create', 'csinodes', () => {
    throw newForbidden({ group: 'storage.k8s.io', resource: 'csinodes' }, 'n2', 'can only access CSINode with the same name as the requesting node');
  });
  await ensureCSINode(refused, 'n2', 'uid-2', (m) => logs.push(m));
  assert.match(logs.at(-1)!, /^kubelet: failed to initialize CSINode n2: csinodes.storage.k8s.io "n2" is forbidden/);
});
