// SPDX-License-Identifier: Apache-2.0
/**
 * Usage over the last minutes, from metrics.k8s.io (which answers only "now"):
 * samples kept in a window, and drawn as an SVG line over a fixed time axis,
 * so a gap in sampling shows as a gap in time, not a squeezed line.
 */

export interface Sample {
  /** at is milliseconds since the epoch. */
  at: number;
  milliCPU: number;
  memory: number;
}

/** addSample appends a sample and drops those older than windowMs before it. */
export function addSample(samples: Sample[], s: Sample, windowMs: number): Sample[] {
  return [...samples.filter((x) => x.at > s.at - windowMs && x.at < s.at), s];
}

/** usageOf adds up the usage of a metrics object: a node's `usage`, or a pod's containers' usages. */
export function usageOf(m: { usage?: { cpu?: string; memory?: string }; containers?: { usage?: { cpu?: string; memory?: string } }[] }): { milliCPU: number; memory: number } {
  const parts = m.usage ? [m.usage] : (m.containers ?? []).map((c) => c.usage ?? {});
  return parts.reduce((acc, u) => ({ milliCPU: acc.milliCPU + quantityNumber(u.cpu ?? '0') * 1000, memory: acc.memory + quantityNumber(u.memory ?? '0') }), { milliCPU: 0, memory: 0 });
}

const SUFFIX: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };

/** quantityNumber reads the quantities metrics.k8s.io writes (`250m`, `123456Ki`, `1234567n`); 0 for what it cannot read. */
export function quantityNumber(q: string): number {
  const m = /^([0-9.]+(?:e[0-9]+)?)([a-zA-Z]*)$/.exec(q);
  if (!m || SUFFIX[m[2]] === undefined) return 0;
  return Number(m[1]) * SUFFIX[m[2]];
}

/** niceCeiling rounds a chart's top up to 1, 2 or 5 times a power of ten, so its label reads well. */
export function niceCeiling(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const f of [1, 2, 5, 10]) if (v <= f * p) return f * p;
  return 10 * p;
}

/**
 * chartPoints places values on a width×height box: x by time over the window
 * ending at `now`, y from 0 (bottom) to top. Returns SVG polyline points.
 */
export function chartPoints(points: { at: number; value: number }[], box: { width: number; height: number; windowMs: number; now: number; top: number }): string {
  const { width, height, windowMs, now, top } = box;
  return points
    .map((p) => {
      const x = Math.max(0, Math.min(width, width - ((now - p.at) / windowMs) * width));
      const y = height - (Math.min(p.value, top) / top) * height;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}
