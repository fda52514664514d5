/**
 * Usage from metrics.k8s.io, sampled every few seconds and kept for the last
 * minutes in the page (the metrics API itself answers only "now").
 */
import { useEffect, useState } from 'preact/hooks';
import { get } from './api.js';

export interface Sample {
  at: number;
  milliCPU: number;
  memory: number;
}

interface NodeMetricsList {
  items: { metadata: { name: string }; usage: { cpu: string; memory: string } }[];
}

const SUFFIX: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };

/** quantityValue reads the quantities metrics.k8s.io writes (`250m`, `123456Ki`, `1234567n`). */
export function quantityValue(q: string): number {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q);
  if (!m) return 0;
  return Number(m[1]) * (SUFFIX[m[2]] ?? 1);
}

const KEEP = 60;

/** useNodeMetrics polls node usage; history is keyed by node name, oldest first. */
export function useNodeMetrics(intervalMs = 5000): { history: Map<string, Sample[]>; available: boolean } {
  const [state, setState] = useState<{ history: Map<string, Sample[]>; available: boolean }>({ history: new Map(), available: true });
  useEffect(() => {
    let stopped = false;
    const history = new Map<string, Sample[]>();
    const poll = async () => {
      try {
        const list = await get<NodeMetricsList>('/apis/metrics.k8s.io/v1beta1/nodes');
        const at = Date.now();
        for (const m of list.items) {
          const samples = history.get(m.metadata.name) ?? [];
          samples.push({ at, milliCPU: quantityValue(m.usage.cpu) * 1000, memory: quantityValue(m.usage.memory) });
          if (samples.length > KEEP) samples.shift();
          history.set(m.metadata.name, samples);
        }
        if (!stopped) setState({ history: new Map(history), available: true });
      } catch {
        if (!stopped) setState({ history: new Map(history), available: false });
      }
    };
    void poll();
    const t = setInterval(poll, intervalMs);
    return () => { stopped = true; clearInterval(t); };
  }, [intervalMs]);
  return state;
}

/** Sparkline draws a series as an SVG line scaled to its maximum. */
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
