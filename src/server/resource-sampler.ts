// SPDX-License-Identifier: Apache-2.0
/**
 * A periodic log line of what the process holds, for soak runs: heap,
 * RSS, event-loop delay and active handles, which only the process itself
 * can read. Off unless SKIFF_RESOURCE_LOG_MS is set; the soak benchmark sets
 * it and reads the lines from the server's log.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

/** RESOURCE_LOG_PREFIX starts every sample line: `resources: {json}`. */
export const RESOURCE_LOG_PREFIX = 'resources: ';

/** ResourceSampler logs samples on a timer; sampleNow logs one at once (a moment worth recording, such as the end of start-up). */
export interface ResourceSampler {
  sampleNow(): void;
  stop(): void;
}

/** startResourceSampler logs one sample every `intervalMs` until stopped. */
export function startResourceSampler(log: (msg: string) => void, intervalMs: number): ResourceSampler {
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  const sampleNow = (): void => {
    const m = process.memoryUsage();
    const sample = {
      rss: m.rss,
      heapUsed: m.heapUsed,
      external: m.external,
      // What V8 keeps committed for the young generation (src/cli/young-generation.ts).
      newSpace: getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0,
      loopDelayP99Ms: delay.percentile(99) / 1e6,
      loopDelayMaxMs: delay.max / 1e6,
      handles: process.getActiveResourcesInfo().length,
    };
    delay.reset();
    log(RESOURCE_LOG_PREFIX + JSON.stringify(sample));
  };
  const timer = setInterval(sampleNow, intervalMs);
  timer.unref();
  return {
    sampleNow,
    stop: () => {
      clearInterval(timer);
      delay.disable();
    },
  };
}
