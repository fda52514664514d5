// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, formatDelay } from './backoff.js';

describe('Backoff', () => {
  it('doubles from the initial delay up to the cap and resets after twice the cap', () => {
    let now = 0;
    const b = new Backoff({ initialMs: 10_000, maxMs: 300_000 }, () => now);
    assert.equal(b.inBackoffSince('k', 0).inBackoff, false, 'first restart is immediate');
    b.next('k', 0);
    now = 5_000;
    assert.deepEqual(b.inBackoffSince('k', 0), { inBackoff: true, remainingMs: 5_000 });
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      b.next('k', now);
      delays.push(b.get('k'));
    }
    assert.deepEqual(delays, [20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    // An event more than 2×max after the last update starts over (10 minutes of running).
    b.next('k', now + 600_001);
    assert.equal(b.get('k'), 10_000);
  });

  it('formats delays as Go durations', () => {
    assert.equal(formatDelay(10_000), '10s');
    assert.equal(formatDelay(80_000), '1m20s');
    assert.equal(formatDelay(300_000), '5m0s');
  });
});
