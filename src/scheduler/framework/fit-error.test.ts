// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitErrorMessage, reasonHistogram } from './fit-error.js';
import { unresolvable, unschedulable } from './plugin.js';

test('fitErrorMessage counts reasons over nodes and appends the preemption message', () => {
  const d = { nodeFailures: new Map([['a', unschedulable('Insufficient cpu')], ['b', unschedulable('Insufficient cpu')]]), postFilterMsg: 'preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.' };
  assert.equal(fitErrorMessage(2, d), '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
});

test('reasons sort as strings, count included (Go sort.Strings)', () => {
  const failures = [
    unresolvable('node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'),
    unschedulable('Insufficient memory'),
    unschedulable('Insufficient memory'),
  ];
  assert.equal(reasonHistogram(failures), '1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory');
});

test('one node can contribute several reasons', () => {
  const d = { nodeFailures: new Map([['a', unschedulable('Insufficient cpu', 'Insufficient memory')]]) };
  assert.equal(fitErrorMessage(1, d), '0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.');
});

test('a preFilter rejection replaces the per-node histogram', () => {
  const d = { nodeFailures: new Map([['a', unschedulable('x')]]), preFilterMsg: 'pod has unbound immediate PersistentVolumeClaims' };
  assert.equal(fitErrorMessage(3, d), '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.');
});
