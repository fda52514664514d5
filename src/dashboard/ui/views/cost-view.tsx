/** What the cluster's reservations cost per month at the prices the user sets (kept in this browser). */
import { useState } from 'preact/hooks';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { costByNamespace, formatCPU, formatMemory, type Prices } from '../../why/index.js';
import type { KubeObject } from '../api.js';
import { LiveBadge, Section } from '../components.js';
import { useLiveObjects } from '../live.js';

const KEY = 'skiff.dashboard.prices';

export function CostView() {
  const pods = useLiveObjects<KubeObject>('/api/v1/pods');
  const [prices, setPrices] = useState<Prices>(() => JSON.parse(localStorage.getItem(KEY) ?? 'null') ?? { perVCPUHour: 0.0316, perGiBHour: 0.0042 });
  const update = (p: Prices) => {
    localStorage.setItem(KEY, JSON.stringify(p));
    setPrices(p);
  };
  const lines = costByNamespace(pods.items as unknown as Pod[], prices);
  const total = lines.reduce((s, l) => s + l.monthly, 0);
  return (
    <Section title="Cost of requests" actions={<LiveBadge state={pods.state} error={pods.error} />}>
      <p>
        <label>$ per vCPU-hour <input type="number" step="0.001" value={prices.perVCPUHour} onInput={(e) => update({ ...prices, perVCPUHour: Number((e.currentTarget as HTMLInputElement).value) })} /></label>{' '}
        <label>$ per GiB-hour <input type="number" step="0.001" value={prices.perGiBHour} onInput={(e) => update({ ...prices, perGiBHour: Number((e.currentTarget as HTMLInputElement).value) })} /></label>
      </p>
      <table>
        <thead><tr><th>Namespace</th><th>CPU requested</th><th>Memory requested</th><th>$ / month</th></tr></thead>
        <tbody>
          {lines.map((l) => <tr><td>{l.key}</td><td>{formatCPU(l.milliCPU)}</td><td>{formatMemory(l.memory)}</td><td>{l.monthly.toFixed(2)}</td></tr>)}
          <tr class="total"><td>Total</td><td /><td /><td>{total.toFixed(2)}</td></tr>
        </tbody>
      </table>
    </Section>
  );
}
