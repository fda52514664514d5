// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../client/workqueue.js';
import { newPodInfo } from './framework/pod-info.js';
import { SchedulingQueue } from './scheduling-queue.js';
import { makePod } from './testdata/objects.js';

function manualClock(): Clock & { advance(ms: number): void } {
  let now = 1_000_000;
  const timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => now,
    setTimeout: (fn, ms) => timers.push({ at: now + ms, fn }),
    clearTimeout: () => undefined,
    advance(ms: number) {
      now += ms;
      for (const t of timers.splice(0)) if (t.at <= now) t.fn();
      else timers.push(t);
    },
  };
}

test('pops higher priority first, then first come', async () => {
  const q = new SchedulingQueue({ clock: manualClock() });
  q.add(newPodInfo(makePod('a')));
  q.add(newPodInfo(makePod('b', { spec: { priority: 10 } })));
  q.add(newPodInfo(makePod('c')));
  const order = [];
  for (let i = 0; i < 3; i++) order.push((await q.pop())!.info.pod.metadata!.name);
  assert.deepEqual(order, ['b', 'a', 'c']);
});

test('unschedulable pods wait for a cluster change and their back-off', async () => {
  const clock = manualClock();
  const q = new SchedulingQueue({ clock, initialBackoffMs: 1000, maxBackoffMs: 4000 });
  q.add(newPodInfo(makePod('a')));
  const qp = (await q.pop())!;
  q.requeueUnschedulable(qp);
  assert.equal(q.pending, 0);
  clock.advance(2000);
  assert.equal(q.pending, 0, 'no cluster change yet: stays unschedulable');
  q.moveAllToActiveOrBackoff();
  assert.equal(q.pending, 1);
  const again = (await q.pop())!;
  q.requeueUnschedulable(again);
  q.moveAllToActiveOrBackoff();
  assert.equal(q.pending, 0, 'second failure: 2 s back-off');
  clock.advance(2000);
  assert.equal(q.pending, 1);
});

test('status-only refresh does not wake a pod; delete drops it', async () => {
  const q = new SchedulingQueue({ clock: manualClock() });
  q.add(newPodInfo(makePod('a')));
  const qp = (await q.pop())!;
  q.requeueUnschedulable(qp);
  q.refresh(newPodInfo(makePod('a')));
  assert.equal(q.pending, 0);
  q.delete('default/a');
  q.moveAllToActiveOrBackoff();
  assert.equal(q.pending, 0);
  assert.equal(q.has('default/a'), false);
});
