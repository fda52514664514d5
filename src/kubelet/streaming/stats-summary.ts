// SPDX-License-Identifier: Apache-2.0
/**
 * The kubelet's `/stats/summary` data, reduced to what metrics.k8s.io needs
 * (k8s.io/kubelet/pkg/apis/stats/v1alpha1 Summary: node and per-pod CPU and
 * memory). Container figures come from CRI ListContainerStats; CPU usage
 * rates are computed from two cumulative samples, because containerd
 * reports `usage_nano_cores` as 0 until it has sampled twice itself. Node
 * figures come from /proc, standing in for cAdvisor's root cgroup.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RuntimeService } from '../cri/runtime-service.js';
import { CONTAINER_NAME_LABEL, POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL } from './pod-locator.js';
import type { CPUStats, MemoryStats, PodStatsSummary, StatsSummary } from '../../api/index.js';

export type { CPUStats, MemoryStats, ContainerStatsSummary, PodStatsSummary, StatsSummary } from '../../api/index.js';

interface Sample {
  atNs: bigint;
  cumulativeNs: bigint;
}

/** RATE_WINDOW_MS is how far apart two samples must be for a usable CPU rate. */
const RATE_WINDOW_MS = 500;

/** StatsProvider samples CRI and /proc and turns cumulative CPU into rates. */
export class StatsProvider {
  readonly #last = new Map<string, Sample>();
  #lastAt = 0;

  constructor(private readonly runtime: RuntimeService, private readonly nodeName: string) {}

  /** summary returns current usage; the first call samples twice, RATE_WINDOW_MS apart, to have a rate. */
  async summary(): Promise<StatsSummary> {
    if (Date.now() - this.#lastAt > 60_000 || this.#last.size === 0) {
      await this.#collect();
      await sleep(RATE_WINDOW_MS);
    }
    return this.#collect();
  }

  async #collect(): Promise<StatsSummary> {
    this.#lastAt = Date.now();
    const [{ stats }, { items: sandboxes }, node] = await Promise.all([
      this.runtime.listContainerStats({}),
      this.runtime.listPodSandbox({ filter: { state: { state: 'SANDBOX_READY' } } }),
      this.#nodeStats(),
    ]);
    const pods = new Map<string, PodStatsSummary>();
    const time = new Date().toISOString();
    for (const s of sandboxes) {
      const l = s.labels;
      if (!l[POD_NAME_LABEL]) continue;
      pods.set(s.id, { podRef: { name: l[POD_NAME_LABEL], namespace: l[POD_NAMESPACE_LABEL] ?? '', uid: l[POD_UID_LABEL] ?? '' }, cpu: zeroCpu(time), memory: { time, workingSetBytes: 0 }, containers: [] });
    }
    const { containers } = await this.runtime.listContainers({ filter: { state: { state: 'CONTAINER_RUNNING' } } });
    const sandboxOf = new Map(containers.map((c) => [c.id, c.pod_sandbox_id]));
    for (const c of stats) {
      const id = c.attributes?.id ?? '';
      const pod = pods.get(sandboxOf.get(id) ?? '');
      if (!pod) continue;
      const cpu = this.#rate(id, BigInt(c.cpu?.timestamp || '0'), BigInt(c.cpu?.usage_core_nano_seconds?.value ?? '0'), Number(c.cpu?.usage_nano_cores?.value ?? '0'), time);
      const memory: MemoryStats = { time, workingSetBytes: Number(c.memory?.working_set_bytes?.value ?? '0'), usageBytes: Number(c.memory?.usage_bytes?.value ?? '0') };
      pod.containers.push({ name: c.attributes?.labels[CONTAINER_NAME_LABEL] ?? c.attributes?.metadata?.name ?? '', cpu, memory });
      pod.cpu.usageNanoCores += cpu.usageNanoCores;
      pod.cpu.usageCoreNanoSeconds += cpu.usageCoreNanoSeconds;
      pod.memory.workingSetBytes += memory.workingSetBytes;
    }
    return { node: { nodeName: this.nodeName, ...node }, pods: [...pods.values()] };
  }

  #rate(key: string, atNs: bigint, cumulativeNs: bigint, reported: number, time: string): CPUStats {
    const prev = this.#last.get(key);
    if (atNs === 0n) atNs = BigInt(Date.now()) * 1_000_000n;
    this.#last.set(key, { atNs, cumulativeNs });
    let rate = reported;
    if (prev && atNs > prev.atNs && cumulativeNs >= prev.cumulativeNs) {
      rate = Number(((cumulativeNs - prev.cumulativeNs) * 1_000_000_000n) / (atNs - prev.atNs));
    }
    return { time, usageNanoCores: rate, usageCoreNanoSeconds: Number(cumulativeNs) };
  }

  async #nodeStats(): Promise<{ cpu: CPUStats; memory: MemoryStats }> {
    const time = new Date().toISOString();
    const [stat, meminfo] = await Promise.all([readFile('/proc/stat', 'utf8'), readFile('/proc/meminfo', 'utf8')]);
    // /proc/stat counts in USER_HZ (100 per second on Linux): busy = everything but idle and iowait.
    const f = stat.split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const busyNs = BigInt(f.reduce((a, b) => a + b, 0) - (f[3] ?? 0) - (f[4] ?? 0)) * 10_000_000n;
    const cpu = this.#rate('node', BigInt(Date.now()) * 1_000_000n, busyNs, 0, time);
    const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(meminfo)?.[1] ?? 0) * 1024;
    const total = kb('MemTotal');
    const available = kb('MemAvailable');
    return { cpu, memory: { time, workingSetBytes: total - available, usageBytes: total - kb('MemFree'), availableBytes: available } };
  }
}

function zeroCpu(time: string): CPUStats {
  return { time, usageNanoCores: 0, usageCoreNanoSeconds: 0 };
}
