// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import {
  configMapTableConvertor,
  leaseTableConvertor,
  namespaceTableConvertor,
  podDisruptionBudgetTableConvertor,
  priorityClassTableConvertor,
  resourceQuotaTableConvertor,
  secretTableConvertor,
  serviceAccountTableConvertor,
} from './config-printers.js';

const now = new Date('2024-05-01T12:00:00Z');
const created = new Date(now.getTime() - 5 * 3600 * 1000 - 7 * 60 * 1000).toISOString();

function obj(body: object, name = 'x'): KubeObject {
  return { metadata: { name, creationTimestamp: created }, ...body };
}

test('configmaps count data and binaryData keys', () => {
  assert.deepEqual(configMapTableConvertor.columns.map((c) => c.name), ['Name', 'Data', 'Age']);
  assert.deepEqual(configMapTableConvertor.row(obj({ data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, 'kube-root-ca.crt'), now), ['kube-root-ca.crt', 3, '5h7m']);
  assert.deepEqual(configMapTableConvertor.row(obj({}), now), ['x', 0, '5h7m']);
});

test('secrets: NAME TYPE DATA AGE', () => {
  assert.deepEqual(secretTableConvertor.columns.map((c) => c.name), ['Name', 'Type', 'Data', 'Age']);
  const s = obj({ type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } }, 'tls');
  assert.deepEqual(secretTableConvertor.row(s, now), ['tls', 'kubernetes.io/tls', 2, '5h7m']);
  assert.deepEqual(secretTableConvertor.row(obj({}), now).slice(1, 3), ['Opaque', 0]);
});

test('serviceaccounts, namespaces and leases', () => {
  assert.deepEqual(serviceAccountTableConvertor.row(obj({}, 'default'), now), ['default', 0, '5h7m']);
  assert.deepEqual(namespaceTableConvertor.columns.map((c) => c.name), ['Name', 'Status', 'Age']);
  assert.deepEqual(namespaceTableConvertor.row(obj({ status: { phase: 'Terminating' } }, 'old'), now), ['old', 'Terminating', '5h7m']);
  assert.deepEqual(leaseTableConvertor.row(obj({ spec: { holderIdentity: 'node-a', leaseDurationSeconds: 40 } }, 'node-a'), now), ['node-a', 'node-a', '5h7m']);
  assert.equal(leaseTableConvertor.row(obj({ spec: {} }), now)[1], '');
});

test('resourcequotas split limits.* into the LIMIT column, sorted, with 0 for unused', () => {
  const q = obj({
    status: {
      hard: { 'requests.cpu': '2', pods: '10', 'limits.memory': '4Gi', 'limits.cpu': '4', 'requests.memory': '2Gi' },
      used: { 'requests.cpu': '500m', pods: '3', 'limits.cpu': '1' },
    },
  }, 'compute');
  assert.deepEqual(resourceQuotaTableConvertor.row(q, now), [
    'compute', 'pods: 3/10, requests.cpu: 500m/2, requests.memory: 0/2Gi', 'limits.cpu: 1/4, limits.memory: 0/4Gi', '5h7m',
  ]);
});

test('priorityclasses print PREEMPTIONPOLICY as a normal column', () => {
  assert.deepEqual(
    priorityClassTableConvertor.columns.map((c) => [c.name, c.priority]),
    [['Name', 0], ['Value', 0], ['Global-Default', 0], ['Age', 0], ['PreemptionPolicy', 0]],
  );
  const pc = obj({ value: 2000001000, globalDefault: false, preemptionPolicy: 'PreemptLowerPriority' }, 'system-node-critical');
  assert.deepEqual(priorityClassTableConvertor.row(pc, now), ['system-node-critical', 2000001000, false, '5h7m', 'PreemptLowerPriority']);
});

test('pdbs print N/A for the unset bound', () => {
  const pdb = obj({ spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } }, 'web');
  assert.deepEqual(podDisruptionBudgetTableConvertor.row(pdb, now), ['web', '50%', 'N/A', 1, '5h7m']);
  assert.deepEqual(podDisruptionBudgetTableConvertor.row(obj({ spec: { maxUnavailable: 1 } }), now).slice(1, 4), ['N/A', '1', 0]);
});
