// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { phaseOfRow, summarizePodTable } from './index.js';

const completed = (reason: string) => [{ type: 'Completed', status: 'True', reason }];

test('a row condition gives Succeeded and Failed exactly, whatever the status cell says', () => {
  assert.equal(phaseOfRow('Completed', completed('Succeeded')), 'Succeeded');
  assert.equal(phaseOfRow('Evicted', completed('Failed')), 'Failed');
  assert.equal(phaseOfRow('Error', completed('Failed')), 'Failed');
});

test('without one, waiting reasons of a first start are Pending and container states of a started pod Running', () => {
  for (const s of ['Pending', 'ContainerCreating', 'PodInitializing', 'Init:0/2', 'Init:CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'SchedulingGated']) assert.equal(phaseOfRow(s, undefined), 'Pending', s);
  for (const s of ['Running', 'NotReady', 'CrashLoopBackOff', 'Error', 'OOMKilled', 'Completed', 'Terminating']) assert.equal(phaseOfRow(s, undefined), 'Running', s);
  assert.equal(phaseOfRow('Unknown', undefined), 'Unknown');
});

test('a Table is counted by phase and by node, columns found by name', () => {
  const columns = [{ name: 'Name' }, { name: 'Ready' }, { name: 'Status' }, { name: 'Restarts' }, { name: 'Age' }, { name: 'IP' }, { name: 'Node' }];
  const row = (status: string, node: string, conditions?: ReturnType<typeof completed>) => ({ cells: ['p', '0/1', status, '0', '1m', '<none>', node], conditions });
  const s = summarizePodTable(columns, [row('Running', 'n1'), row('Pending', '<none>'), row('Completed', 'n1', completed('Succeeded')), row('CrashLoopBackOff', 'n2')]);
  assert.equal(s.total, 4);
  assert.deepEqual(Object.fromEntries(s.byPhase), { Running: 2, Pending: 1, Succeeded: 1 });
  assert.deepEqual(Object.fromEntries(s.byNode), { n1: 2, n2: 1 });
});
