// SPDX-License-Identifier: Apache-2.0
/**
 * Resource arithmetic of the kubelet: the pod QoS class (upstream
 * pkg/apis/core/v1/helper/qos), container requests and limits turned into
 * Linux cgroup settings (kuberuntime_container_linux.go: cpu shares from
 * requests, CFS quota from limits, memory limit) and the OOM score
 * adjustment per QoS class (pkg/kubelet/qos/policy.go).
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../api/index.js';
import type { LinuxContainerResources } from './cri/cri-types.js';

/** QOSClass is Guaranteed, Burstable or BestEffort. */
export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const MIN_SHARES = 2;
const MAX_SHARES = 262144;
const SHARES_PER_CPU = 1024;
const QUOTA_PERIOD = 100_000;
const MIN_QUOTA = 1000;

/** quantityOf reads a resource amount, or undefined when absent. */
function quantityOf(list: Record<string, unknown> | undefined, name: string): ReturnType<typeof parseQuantity> | undefined {
  const v = list?.[name];
  return v === undefined ? undefined : parseQuantity(v as string | number);
}

/** podQOSClass classifies a pod as upstream GetPodQOS does (init containers included, only cpu and memory count). */
export function podQOSClass(pod: Pod): QOSClass {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let anySet = false;
  let guaranteed = true;
  for (const c of containers) {
    for (const r of ['cpu', 'memory']) {
      const req = quantityOf(c.resources?.requests, r);
      const lim = quantityOf(c.resources?.limits, r);
      if ((req && !req.isZero()) || (lim && !lim.isZero())) anySet = true;
      // A limit alone defaults the request to it (API defaulting); a request without an equal limit is Burstable.
      if (!lim || lim.isZero() || (req && req.cmp(lim) !== 0)) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** containerLinuxResources computes the cgroup settings of one container. */
export function containerLinuxResources(pod: Pod, c: Container, memoryCapacityBytes: number): LinuxContainerResources {
  const cpuReq = quantityOf(c.resources?.requests, 'cpu') ?? quantityOf(c.resources?.limits, 'cpu');
  const cpuLim = quantityOf(c.resources?.limits, 'cpu');
  const memLim = quantityOf(c.resources?.limits, 'memory');
  const out: LinuxContainerResources = {
    cpu_shares: milliCPUToShares(cpuReq?.milliValue() ?? 0),
    oom_score_adj: oomScoreAdj(pod, c, memoryCapacityBytes),
  };
  if (cpuLim) {
    out.cpu_period = QUOTA_PERIOD;
    out.cpu_quota = Math.max(MIN_QUOTA, Math.floor((cpuLim.milliValue() * QUOTA_PERIOD) / 1000));
  }
  if (memLim) out.memory_limit_in_bytes = memLim.value();
  return out;
}

/** milliCPUToShares converts a CPU request to cgroup v1 cpu.shares as upstream MilliCPUToShares. */
export function milliCPUToShares(milli: number): number {
  if (milli === 0) return MIN_SHARES;
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, Math.floor((milli * SHARES_PER_CPU) / 1000)));
}

/**
 * oomScoreAdj follows upstream GetContainerOOMScoreAdjust: Guaranteed -997,
 * BestEffort 1000, Burstable 1000 - 1000*request/capacity clamped to [3, 999].
 * containerd (restrict_oom_score_adj) raises negative values to its own,
 * since this machine kind's root lacks CAP_SYS_RESOURCE.
 */
export function oomScoreAdj(pod: Pod, c: Container, memoryCapacityBytes: number): number {
  const qos = podQOSClass(pod);
  if (qos === 'Guaranteed') return -997;
  if (qos === 'BestEffort') return 1000;
  const req = quantityOf(c.resources?.requests, 'memory')?.value() ?? 0;
  const adj = 1000 - Math.floor((1000 * req) / Math.max(1, memoryCapacityBytes));
  return Math.min(999, Math.max(3, adj));
}

/**
 * podCgroupConfig is upstream's ResourceConfigForPod: cpu shares from the
 * summed CPU requests, a CFS quota and a memory limit only when every
 * container sets that limit (the pod total: app containers summed, or the
 * largest init container if that is more). BestEffort pods get the minimum shares.
 */
export function podCgroupConfig(pod: Pod): { cpuShares: number; cpuQuotaUs?: number; memoryLimitBytes?: number } {
  const apps = pod.spec?.containers ?? [];
  const inits = pod.spec?.initContainers ?? [];
  const total = (resource: 'cpu' | 'memory', kind: 'requests' | 'limits', scale: (q: ReturnType<typeof parseQuantity>) => number) => {
    const of = (c: Container) => {
      const q = quantityOf(c.resources?.[kind], resource) ?? (kind === 'requests' ? quantityOf(c.resources?.limits, resource) : undefined);
      return q ? scale(q) : undefined;
    };
    const all = [...apps, ...inits].map(of);
    const sum = apps.map(of).reduce<number>((n, v) => n + (v ?? 0), 0);
    const maxInit = inits.map(of).reduce<number>((n, v) => Math.max(n, v ?? 0), 0);
    return { value: Math.max(sum, maxInit), complete: all.every((v) => v !== undefined) };
  };
  const cpuReq = total('cpu', 'requests', (q) => q.milliValue());
  const cpuLim = total('cpu', 'limits', (q) => q.milliValue());
  const memLim = total('memory', 'limits', (q) => q.value());
  const out: { cpuShares: number; cpuQuotaUs?: number; memoryLimitBytes?: number } = {
    cpuShares: podQOSClass(pod) === 'BestEffort' ? MIN_SHARES : milliCPUToShares(cpuReq.value),
  };
  if (cpuLim.complete && apps.length) out.cpuQuotaUs = Math.max(MIN_QUOTA, Math.floor((cpuLim.value * QUOTA_PERIOD) / 1000));
  if (memLim.complete && apps.length) out.memoryLimitBytes = memLim.value;
  return out;
}
