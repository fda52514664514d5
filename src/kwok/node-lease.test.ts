// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../client/fake-clock.js';
import { FakeClient } from '../client/fake-client.js';
import { NodeLeaseRenewer } from './node-lease.js';

const INTERVAL = 10_000;

/** settle lets the renewals started by a tick reach the fake client. */
const settle = () => new Promise((r) => setImmediate(r));

test('simulated nodes started together create their Leases at once, then renew spread over the interval', async () => {
  const clock = new FakeClock();
  const client = new FakeClient();
  const renewer = new NodeLeaseRenewer(client, { renewIntervalMs: INTERVAL, leaseDurationSeconds: 40, clock });
  const nodes = 1000;
  for (let i = 0; i < nodes; i++) renewer.track(`n-${i}`, `uid-${i}`);
  clock.step(0);
  await settle();
  assert.equal(client.mutations().filter((a) => a.verb === 'create').length, nodes, 'every Lease is created at once');
  client.clearActions();

  // Then renewals per 100 ms slice over three intervals: never a burst, and every node renewed each interval.
  const perSlice: number[] = [];
  const renewedAt = new Map<string, number[]>();
  for (let t = 0; t < 3 * INTERVAL; t += 100) {
    clock.step(100);
    await settle();
    const patches = client.mutations().filter((a) => a.verb === 'patch');
    perSlice.push(patches.length);
    for (const a of patches) renewedAt.set(a.name, [...(renewedAt.get(a.name) ?? []), clock.now()]);
    client.clearActions();
  }
  renewer.stop();
  assert.ok(Math.max(...perSlice) < nodes / 10, `at most a tenth of the nodes renew in any 100 ms (saw ${Math.max(...perSlice)})`);
  assert.equal(renewedAt.size, nodes);
  for (const [name, times] of renewedAt) {
    assert.ok(times[0]! - clock.now() + 3 * INTERVAL <= INTERVAL + 100, `${name} renewed within the first interval`);
    for (let i = 1; i < times.length; i++) {
      const gap = times[i]! - times[i - 1]!;
      assert.ok(gap >= INTERVAL && gap <= INTERVAL * 1.04 + 100, `${name}: ${gap} ms between renewals`);
    }
  }
});
