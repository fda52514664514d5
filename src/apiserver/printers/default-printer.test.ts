// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTableConvertor } from './default-printer.js';

test('the default table is NAME and CREATED AT in RFC 3339 UTC, as rest.NewDefaultTableConvertor', () => {
  assert.deepEqual(
    defaultTableConvertor.columns.map((c) => [c.name, c.type, c.format]),
    [['Name', 'string', 'name'], ['Created At', 'date', '']],
  );
  const now = new Date('2024-05-01T12:00:00Z');
  assert.deepEqual(defaultTableConvertor.row({ metadata: { name: 'admin', creationTimestamp: '2024-04-01T08:09:10.500+02:00' } }, now), ['admin', '2024-04-01T06:09:10Z']);
  assert.deepEqual(defaultTableConvertor.row({ metadata: { name: 'x' } }, now), ['x', '0001-01-01T00:00:00Z']);
});
