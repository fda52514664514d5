// SPDX-License-Identifier: Apache-2.0
/**
 * The long crash run: 1000 concurrent writers over 200 ConfigMaps and 20
 * SIGKILLs at random moments, checked by test/harness/history-checker.ts
 * (the short version runs in `npm test`). Throws when the history is wrong.
 */
import { runCrashScenario } from '../test/harness/crash-workload.js';

export async function runCrashBench(): Promise<Record<string, number>> {
  const seed = Number(process.env.SKIFF_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`crash: seed ${seed}`);
  const r = await runCrashScenario({ writers: 1000, keys: 200, restarts: 20, loadMs: { min: 1000, max: 5000 }, seed, log: (m) => console.log(m) });
  if (r.problems.length) throw new Error(`crash history violated (SKIFF_CRASH_SEED=${seed}):\n${r.problems.slice(0, 30).join('\n')}`);
  return { restarts: r.restarts, acknowledged: r.acked, refused: r.failed, cutByKill: r.unknown, watchEvents: r.events, watchReconnects: r.watchReconnects, gone410: r.gone };
}
