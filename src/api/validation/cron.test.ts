// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCronSchedule } from './cron.js';

function err(spec: string): string {
  try {
    parseCronSchedule(spec);
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

test('parseCronSchedule accepts standard schedules and descriptors', () => {
  for (const s of ['*/5 * * * *', '0 0 * * MON-FRI', '@hourly', '@every 1h30m', '0 12 1 JAN,jul ?', '15 3 * * 0']) {
    assert.doesNotThrow(() => parseCronSchedule(s), s);
  }
});

test('parseCronSchedule errors read as robfig/cron', () => {
  assert.equal(err('x'), 'expected exactly 5 fields, found 1: [x]');
  assert.equal(err(''), 'empty spec string');
  assert.equal(err('61 * * * *'), 'end of range (61) above maximum (59): 61');
  assert.equal(err('* * 0 * *'), 'beginning of range (0) below minimum (1): 0');
  assert.equal(err('5-1 * * * *'), 'beginning of range (5) beyond end of range (1): 5-1');
  assert.equal(err('*/0 * * * *'), 'step of range should be a positive number: */0');
  assert.equal(err('a * * * *'), 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax');
  assert.equal(err('@often'), 'unrecognized descriptor: @often');
});

test('next finds the following activation', () => {
  const from = new Date('2024-01-01T10:07:30Z');
  assert.equal(parseCronSchedule('*/5 * * * *').next(from)?.toISOString(), '2024-01-01T10:10:00.000Z');
  assert.equal(parseCronSchedule('0 0 * * *').next(from)?.toISOString(), '2024-01-02T00:00:00.000Z');
  assert.equal(parseCronSchedule('30 9 * * *').next(from, 'Europe/Paris')?.toISOString(), '2024-01-02T08:30:00.000Z');
  assert.equal(parseCronSchedule('0 0 1 * 1').next(from)?.toISOString(), '2024-01-08T00:00:00.000Z', 'dom OR dow when both restricted');
  assert.equal(parseCronSchedule('0 0 30 2 *').next(from), undefined);
});
