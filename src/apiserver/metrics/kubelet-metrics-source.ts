// SPDX-License-Identifier: Apache-2.0
/**
 * Usage of pods on real nodes, from each kubelet's /stats/summary (CPU as
 * a nanocore rate, memory as working set), as metrics-server computes it.
 * Simulated nodes have no kubelet and are skipped; a kubelet that does not
 * answer leaves its node and pods out, as metrics-server does.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { R, type Client } from '../../client/index.js';
import type { StatsSummary } from '../../api/index.js';
import type { KubeletClient } from '../streaming/kubelet-client.js';
import { cpuQuantity, memoryQuantity, type MetricsSource, type NodeUsage, type PodUsage } from './metrics-source.js';

const SIMULATED_ANNOTATION = 'skiff.dev/simulated';
/** WINDOW is the interval our CPU rates cover, reported as the metrics window. */
const WINDOW = '10s';

/** KubeletMetricsSource reads /stats/summary from every real node. */
export class KubeletMetricsSource implements MetricsSource {
  constructor(private readonly client: Client, private readonly kubelets: KubeletClient, private readonly log: (m: string) => void = () => undefined) {}

  async #summaries(): Promise<StatsSummary[]> {
    const nodes = ((await this.client.list(R.nodes)).items as Node[]).filter((n) => n.metadata?.annotations?.[SIMULATED_ANNOTATION] !== 'true');
    const results = await Promise.allSettled(nodes.map((n) => this.kubelets.getJSON<StatsSummary>(n.metadata!.name!, '/stats/summary')));
    const out: StatsSummary[] = [];
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') out.push(r.value);
      else this.log(`metrics: no stats from node ${nodes[i].metadata?.name}: ${(r.reason as Error).message}`);
    });
    return out;
  }

  async podMetrics(namespace?: string): Promise<PodUsage[]> {
    const out: PodUsage[] = [];
    for (const s of await this.#summaries()) {
      for (const p of s.pods) {
        if (namespace !== undefined && p.podRef.namespace !== namespace) continue;
        out.push({
          namespace: p.podRef.namespace, name: p.podRef.name, timestamp: trimNanos(p.cpu.time), window: WINDOW,
          containers: p.containers.map((c) => ({ name: c.name, usage: { cpu: cpuQuantity(c.cpu.usageNanoCores), memory: memoryQuantity(c.memory.workingSetBytes) } })),
        });
      }
    }
    return out;
  }

  async nodeMetrics(): Promise<NodeUsage[]> {
    return (await this.#summaries()).map((s) => ({
      name: s.node.nodeName, timestamp: trimNanos(s.node.cpu.time), window: WINDOW,
      usage: { cpu: cpuQuantity(s.node.cpu.usageNanoCores), memory: memoryQuantity(s.node.memory.workingSetBytes) },
    }));
  }
}

function trimNanos(t: string): string {
  return t.replace(/\.\d+Z$/, 'Z');
}
