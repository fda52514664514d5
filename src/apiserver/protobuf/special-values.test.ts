// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoDuration } from './special-values.js';

describe('formatGoDuration', () => {
  it('matches Go time.Duration.String', () => {
    const cases: Array<[bigint, string]> = [
      [0n, '0s'],
      [1n, '1ns'],
      [1500n, '1.5µs'],
      [250_000_000n, '250ms'],
      [1_500_000_000n, '1.5s'],
      [90_000_000_000n, '1m30s'],
      [3_600_000_000_000n, '1h0m0s'],
      [3_600_500_000_000n, '1h0m0.5s'],
      [-61_000_000_000n, '-1m1s'],
    ];
    for (const [ns, want] of cases) assert.equal(formatGoDuration(ns), want, `${ns}ns`);
  });
});
