// SPDX-License-Identifier: Apache-2.0
/** Durations as Go's time.ParseDuration writes them, for flags and annotations. */

/** parseDurationMs reads Go-style durations ("5s", "1m30s", "250ms"); undefined when malformed. */
export function parseDurationMs(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * units[m[2]];
    consumed += m[0].length;
  }
  return consumed === s.length && consumed > 0 ? total : undefined;
}
