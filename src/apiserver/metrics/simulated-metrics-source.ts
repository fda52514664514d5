// SPDX-License-Identifier: Apache-2.0
/**
 * Usage of pods on simulated nodes, from the simulator's `this.usage.podUsage(pod)`
 * (their annotations); a simulated node's usage is the sum of its pods.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { R, type Client } from '../../client/index.js';
import { parseQuantity } from '../../api/index.js';
import type { SimulatedUsage } from '../../api/index.js';
import { cpuQuantity, memoryQuantity, type MetricsSource, type NodeUsage, type PodUsage } from './metrics-source.js';
import { rfc3339 } from '../../machinery/index.js';

/** SimulatedMetricsSource reports what simulated pods claim to use. */
export class SimulatedMetricsSource implements MetricsSource {
  constructor(
    private readonly client: Client,
    private readonly usage: SimulatedUsage,
  ) {}

  async podMetrics(namespace?: string): Promise<PodUsage[]> {
    const simulated = await this.#simulatedNodes();
    if (simulated.size === 0) return [];
    const pods = (await this.client.list(R.pods, namespace !== undefined ? { namespace } : {})).items as Pod[];
    const out: PodUsage[] = [];
    for (const pod of pods) {
      if (!simulated.has(pod.spec?.nodeName ?? '')) continue;
      const m = this.usage.podUsage(pod);
      if (m) out.push({ namespace: pod.metadata!.namespace!, name: pod.metadata!.name!, ...m });
    }
    return out;
  }

  async nodeMetrics(): Promise<NodeUsage[]> {
    const simulated = await this.#simulatedNodes();
    if (simulated.size === 0) return [];
    const totals = new Map<string, { cpu: number; memory: number }>([...simulated].map((n) => [n, { cpu: 0, memory: 0 }]));
    for (const pod of (await this.client.list(R.pods)).items as Pod[]) {
      const t = totals.get(pod.spec?.nodeName ?? '');
      const m = t && this.usage.podUsage(pod);
      if (!t || !m) continue;
      for (const c of m.containers) {
        t.cpu += parseQuantity(c.usage.cpu).milliValue() * 1e6;
        t.memory += parseQuantity(c.usage.memory).value();
      }
    }
    const timestamp = rfc3339(Date.now());
    return [...totals].map(([name, t]) => ({ name, timestamp, window: '30s', usage: { cpu: cpuQuantity(t.cpu), memory: memoryQuantity(t.memory) } }));
  }

  async #simulatedNodes(): Promise<Set<string>> {
    const nodes = ((await this.client.list(R.nodes)).items as Node[]);
    return new Set(nodes.filter((n) => this.usage.isSimulatedNode(n)).map((n) => n.metadata!.name!));
  }
}
