/**
 * Usage from metrics.k8s.io, sampled by the page about every 15 s (the
 * metrics API answers only "now") and kept for the last minutes, one
 * history per metrics URL for the whole page, so the overview and a node's
 * page draw the same samples. Drawn as small SVG charts (no chart library).
 */
import { useEffect, useState } from 'preact/hooks';
import { addSample, chartPoints, formatCPU, formatMemory, niceCeiling, usageOf, type Sample } from '../why/index.js';
import { get } from './api.js';

export type { Sample } from '../why/index.js';

/** SAMPLE_MS is how often usage is sampled; WINDOW_MS how far back charts reach. */
export const SAMPLE_MS = 15_000;
export const WINDOW_MS = 10 * 60_000;

type MetricsObject = { metadata: { name: string; namespace?: string }; usage?: { cpu?: string; memory?: string }; containers?: { usage?: { cpu?: string; memory?: string } }[] };

interface History {
  /** samples by object name (one object's URL has one name; a list's has many). */
  samples: Map<string, Sample[]>;
  available: boolean;
}

class Sampler {
  history: History = { samples: new Map(), available: true };
  readonly listeners = new Set<(h: History) => void>();
  #timer?: ReturnType<typeof setInterval>;

  constructor(readonly path: string) {}

  start(): void {
    if (this.#timer) return;
    void this.poll();
    this.#timer = setInterval(() => void this.poll(), SAMPLE_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async poll(): Promise<void> {
    let available = true;
    try {
      const body = await get<MetricsObject & { items?: MetricsObject[] }>(this.path);
      const at = Date.now();
      const samples = new Map(this.history.samples);
      for (const m of body.items ?? [body]) samples.set(m.metadata.name, addSample(samples.get(m.metadata.name) ?? [], { at, ...usageOf(m) }, WINDOW_MS));
      this.history = { samples, available };
    } catch {
      available = false;
      this.history = { ...this.history, available };
    }
    for (const l of this.listeners) l(this.history);
  }
}

const samplers = new Map<string, Sampler>();

/**
 * useUsageHistory samples a metrics.k8s.io URL (a node, a pod, or the node
 * list) while a view shows it. Samples are kept when the view goes, so
 * coming back shows the minutes already seen.
 */
export function useUsageHistory(path: string): History {
  let sampler = samplers.get(path);
  if (!sampler) samplers.set(path, (sampler = new Sampler(path)));
  const [history, setHistory] = useState(sampler.history);
  useEffect(() => {
    const s = samplers.get(path)!;
    setHistory(s.history);
    s.listeners.add(setHistory);
    s.start();
    return () => {
      s.listeners.delete(setHistory);
      if (s.listeners.size === 0) s.stop();
    };
  }, [path]);
  return history;
}

/** Sparkline draws a series as a small SVG line scaled to max (the overview's node cards). */
export function Sparkline({ values, max, label }: { values: number[]; max: number; label: string }) {
  const w = 160;
  const h = 36;
  if (values.length < 2) return <svg class="spark" width={w} height={h} role="img" aria-label={`${label}: collecting`} />;
  const top = Math.max(max, ...values, 1);
  const pts = values.map((v, i) => `${((i / (values.length - 1)) * w).toFixed(1)},${(h - (v / top) * (h - 2) - 1).toFixed(1)}`).join(' ');
  return (
    <svg class="spark" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label}>
      <polyline points={pts} fill="none" stroke="currentColor" stroke-width="1.5" />
    </svg>
  );
}

/**
 * UsageChart draws one resource over the last WINDOW_MS: a line over a time
 * axis (now at the right), the top labelled, and a limit (a node's
 * allocatable, a pod's limits) as a dashed line when known.
 */
export function UsageChart({ title, samples, pick, format, limit, floor }: { title: string; samples: Sample[]; pick: (s: Sample) => number; format: (n: number) => string; limit?: number; floor: number }) {
  const w = 300;
  const h = 80;
  const now = Date.now();
  const values = samples.map((s) => ({ at: s.at, value: pick(s) }));
  const latest = values[values.length - 1]?.value;
  const peak = Math.max(0, ...values.map((v) => v.value));
  // The time axis covers what was sampled (at least 2 minutes, at most the window), so a fresh page shows a line, not a dot.
  const span = Math.min(WINDOW_MS, Math.max(2 * 60_000, values.length ? now - values[0].at + SAMPLE_MS : 0));
  // The limit sets the scale only when usage comes near it; far below, the line would be flat at the bottom.
  const top = niceCeiling(Math.max(peak * 1.15, limit !== undefined && limit <= peak * 4 ? limit : 0, floor));
  const limitText = limit ? `, limit ${format(limit)}` : '';
  const summary = latest === undefined ? `no sample yet${limitText}` : `now ${format(latest)}, peak ${format(peak)}${limitText} over the last ${Math.round(WINDOW_MS / 60_000)} minutes (${values.length} samples)`;
  return (
    <figure class="usage-chart">
      <figcaption><strong>{title}</strong> <span class="hint">{summary}</span></figcaption>
      <svg width={w} height={h + 16} viewBox={`0 0 ${w} ${h + 16}`} role="img" aria-label={`${title}: ${summary}`} data-samples={values.length}>
        <line x1={0} y1={h} x2={w} y2={h} class="axis" />
        <text x={2} y={10} class="tick">{format(top)}</text>
        <text x={2} y={h + 13} class="tick">-{Math.round(span / 60_000)}m</text>
        <text x={w - 2} y={h + 13} class="tick" text-anchor="end">now</text>
        {limit !== undefined && limit <= top && <line x1={0} x2={w} y1={h - (limit / top) * h} y2={h - (limit / top) * h} class="limit" />}
        {values.length > 0 && <polyline points={chartPoints(values, { width: w, height: h, windowMs: span, now, top })} class="series" />}
        {values.length === 1 && <circle cx={w} cy={h - (values[0].value / top) * h} r={2} class="series-dot" />}
      </svg>
    </figure>
  );
}

/** cpuText prints millicores, with a decimal below 10m (an idle container uses a fraction of one). */
function cpuText(milli: number): string {
  return milli > 0 && milli < 10 ? `${milli.toFixed(1)}m` : formatCPU(Math.round(milli));
}

/** UsageCharts shows CPU and memory of one object from a metrics.k8s.io URL. */
export function UsageCharts({ path, name, limits }: { path: string; name: string; limits?: { milliCPU?: number; memory?: number } }) {
  const history = useUsageHistory(path);
  const samples = history.samples.get(name) ?? [];
  return (
    <div class="usage-charts" aria-label="Usage charts" role="group">
      <UsageChart title="CPU" samples={samples} pick={(s) => s.milliCPU} format={cpuText} limit={limits?.milliCPU} floor={10} />
      <UsageChart title="Memory" samples={samples} pick={(s) => s.memory} format={(n) => formatMemory(Math.round(n))} limit={limits?.memory} floor={1024 ** 2} />
      {!history.available && <p class="hint">Usage is not available (metrics.k8s.io did not answer); sampling again every {SAMPLE_MS / 1000} s.</p>}
    </div>
  );
}
