// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { clusterRoleBindingTableConvertor, roleBindingTableConvertor } from './rbac-printers.js';

const now = new Date('2024-05-01T12:00:00Z');

test('bindings print Kind/name of the role and subjects by kind (wide)', () => {
  assert.deepEqual(
    roleBindingTableConvertor.columns.map((c) => [c.name, c.priority]),
    [['Name', 0], ['Role', 0], ['Age', 0], ['Users', 1], ['Groups', 1], ['ServiceAccounts', 1]],
  );
  const rb: KubeObject = {
    metadata: { name: 'admins', namespace: 'dev', creationTimestamp: '2024-05-01T11:00:00Z' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
    subjects: [
      { kind: 'User', name: 'alice' },
      { kind: 'Group', name: 'devs' },
      { kind: 'ServiceAccount', name: 'ci', namespace: 'dev' },
      { kind: 'User', name: 'bob' },
    ],
  };
  assert.deepEqual(roleBindingTableConvertor.row(rb, now), ['admins', 'ClusterRole/admin', '60m', 'alice, bob', 'devs', 'dev/ci']);
  const crb: KubeObject = { metadata: { name: 'x', creationTimestamp: '2024-05-01T11:00:00Z' }, roleRef: { kind: 'ClusterRole', name: 'view' } };
  assert.deepEqual(clusterRoleBindingTableConvertor.row(crb, now), ['x', 'ClusterRole/view', '60m', '', '', '']);
});
