// SPDX-License-Identifier: Apache-2.0
/**
 * Crash safety, short version (the long one is `npm run bench -- crash`):
 * concurrent writers create, update, patch and delete ConfigMaps, with and
 * without resourceVersion preconditions, while the server is SIGKILLed at
 * random moments and restarted on the same data dir. The history of every
 * write and every watch event is checked by test/harness/history-checker.ts:
 * acknowledged writes survive with their content, failed ones never appear,
 * resourceVersions are unique and increasing, the watch resumes across
 * restarts without missed or duplicated events, and the final state is the
 * last write. SKIFF_CRASH_SEED repeats a run.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCrashScenario } from '../harness/crash-workload.js';
import { checkHistory } from '../harness/history-checker.js';

const SEED = Number(process.env.SKIFF_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe('crash durability', () => {
  it('the checker catches a lost write, a failed write that appears, and a duplicated event', () => {
    const r = checkHistory(
      [
        { kind: 'create', key: 'a', value: 'x', start: 0, end: 1, outcome: 'ok', rv: 5 },
        { kind: 'update', key: 'a', value: 'y', start: 2, end: 3, outcome: 'failed', status: 409 },
        { kind: 'update', key: 'a', value: 'z', start: 4, end: 5, outcome: 'ok', rv: 7 },
      ],
      [
        { key: 'a', type: 'ADDED', rv: 5, value: 'x' },
        { key: 'a', type: 'MODIFIED', rv: 6, value: 'y' },
        { key: 'a', type: 'MODIFIED', rv: 6, value: 'y' },
      ],
      new Map([['a', { rv: 6, value: 'y' }]]),
    );
    assert.equal(r.problems.length, 4, r.problems.join('\n'));
  });

  it(`keeps every acknowledged write across SIGKILLs (seed ${SEED})`, async () => {
    const r = await runCrashScenario({ writers: 24, keys: 12, restarts: 4, loadMs: { min: 500, max: 2500 }, seed: SEED, log: (m) => console.log(m) });
    console.log(`crash: seed ${SEED}, ${r.restarts} restarts, ${r.acked} acknowledged, ${r.failed} refused, ${r.unknown} cut by a kill, ${r.events} watch events, ${r.watchReconnects} watch reconnects, ${r.gone} 410s`);
    assert.deepEqual(r.problems.slice(0, 20), [], `SKIFF_CRASH_SEED=${SEED}`);
    assert.ok(r.acked > 100, `only ${r.acked} writes were acknowledged`);
  });
});
