// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from './workqueue.js';
import { FakeClock } from './fake-clock.js';

test('a key queued twice is handed out once', async () => {
  const q = new WorkQueue({ clock: new FakeClock() });
  q.add('a');
  q.add('b');
  q.add('a');
  assert.equal(q.length, 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
  assert.equal(q.length, 0);
});

test('a key added while processing is queued again only after done', async () => {
  const q = new WorkQueue({ clock: new FakeClock() });
  q.add('a');
  const k = await q.get();
  q.add('a');
  assert.equal(q.length, 0, 'not handed to a second worker');
  q.done(k!);
  assert.equal(q.length, 1);
  assert.equal(await q.get(), 'a');
  q.done('a');
  assert.equal(q.length, 0);
});

test('a waiting worker gets the next key', async () => {
  const q = new WorkQueue({ clock: new FakeClock() });
  const p = q.get();
  q.add('x');
  assert.equal(await p, 'x');
});

test('addAfter and addRateLimited wait on the clock with exponential back-off', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock });
  q.addAfter('a', 100);
  clock.step(99);
  assert.equal(q.length, 0);
  clock.step(1);
  assert.equal(q.length, 1);
  await q.get();
  q.done('a');
  q.addRateLimited('b'); // 5 ms
  q.addRateLimited('b'); // 10 ms, but the 5 ms deadline already pending wins
  assert.equal(q.numRequeues('b'), 2);
  clock.step(5);
  assert.equal(q.length, 1);
  await q.get();
  q.done('b');
  q.addRateLimited('b'); // third failure: 20 ms
  clock.step(19);
  assert.equal(q.length, 0);
  clock.step(1);
  assert.equal(q.length, 1);
  q.forget('b');
  assert.equal(q.numRequeues('b'), 0);
});

test('back-off is capped at the maximum', () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock, baseDelayMs: 5, maxDelayMs: 1000 });
  for (let i = 0; i < 30; i++) q.addRateLimited('k');
  clock.step(1000);
  assert.equal(q.length, 1);
});

test('shutDown wakes waiting workers with undefined and drains', async () => {
  const q = new WorkQueue({ clock: new FakeClock() });
  const p = q.get();
  q.shutDown();
  assert.equal(await p, undefined);
  q.add('late');
  assert.equal(await q.get(), undefined);
});
