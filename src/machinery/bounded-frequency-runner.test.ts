// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { BoundedFrequencyRunner } from './bounded-frequency-runner.js';

/** until polls a condition with a generous limit (no timing assertions). */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await sleep(10);
  assert.ok(cond(), 'condition not reached');
}

test('requests within the interval coalesce into one run', async () => {
  let runs = 0;
  const r = new BoundedFrequencyRunner(() => void runs++, { minIntervalMs: 20 });
  for (let i = 0; i < 10; i++) r.run();
  await until(() => runs === 1);
  r.run();
  await until(() => runs === 2);
  await r.stop();
});

test('runs never overlap; a request during a run gets one more run after it', async () => {
  let active = 0;
  let maxActive = 0;
  let runs = 0;
  let release!: () => void;
  const r = new BoundedFrequencyRunner(
    async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      if (runs++ === 0) await new Promise<void>((res) => (release = res));
      active--;
    },
    { minIntervalMs: 0 },
  );
  const first = r.runNow();
  await until(() => runs === 1);
  const second = r.runNow();
  release();
  await Promise.all([first, second]);
  assert.equal(runs, 2);
  assert.equal(maxActive, 1);
});

test('nothing runs while the owner is stopping; failures of requested runs go to onError', async () => {
  let stopping = false;
  let runs = 0;
  const errors: string[] = [];
  const r = new BoundedFrequencyRunner(
    () => {
      runs++;
      throw new Error('boom');
    },
    { minIntervalMs: 0, stopping: () => stopping, onError: (e) => errors.push(e.message) },
  );
  r.run();
  await until(() => errors.length === 1);
  await assert.rejects(r.runNow(), /boom/);
  stopping = true;
  r.run();
  await r.runNow();
  assert.equal(runs, 2);
  r.cancelPending();
  await r.stop();
});
