// SPDX-License-Identifier: Apache-2.0
/**
 * The order pods are evicted in, as upstream eviction/helpers.go:
 * memory (rankMemoryPressure): pods whose usage exceeds their requests
 * first, then lower priority, then larger usage over requests; disk
 * (rankDiskPressureFunc): the same over ephemeral-storage; pids
 * (rankPIDPressure): lower priority, then more processes. Pods without
 * stats rank first, as upstream's comparators treat a missing sample.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { MIRROR_POD_ANNOTATION, parseQuantity } from '../../api/index.js';
import type { PodUsage } from './signal-source.js';
import type { Signal } from './thresholds.js';

/** containerRequest is a container's request for a resource in base units (0 when absent). */
export function containerRequest(c: Container, resource: 'memory' | 'ephemeral-storage'): number {
  const v = c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource];
  return v === undefined ? 0 : parseQuantity(v as string | number).value();
}

/** podRequest sums the app containers' requests (upstream's pod request, init containers aside). */
export function podRequest(pod: Pod, resource: 'memory' | 'ephemeral-storage'): number {
  return (pod.spec?.containers ?? []).reduce((n, c) => n + containerRequest(c, resource), 0);
}

type Cmp = (a: Pod, b: Pod) => number;

function orderedBy(...cmps: Cmp[]): Cmp {
  return (a, b) => {
    for (const c of cmps) {
      const r = c(a, b);
      if (r !== 0) return r;
    }
    return 0;
  };
}

const priority: Cmp = (a, b) => (a.spec?.priority ?? 0) - (b.spec?.priority ?? 0);

function usageOf(usage: Map<string, PodUsage>, resource: 'memory' | 'ephemeral-storage', pod: Pod): number | undefined {
  const u = usage.get(pod.metadata?.uid ?? '');
  if (!u) return undefined;
  return resource === 'memory' ? u.memoryBytes : u.diskBytes;
}

function exceedsRequests(usage: Map<string, PodUsage>, resource: 'memory' | 'ephemeral-storage'): Cmp {
  return (a, b) => {
    const ua = usageOf(usage, resource, a);
    const ub = usageOf(usage, resource, b);
    if (ua === undefined || ub === undefined) return Number(ua !== undefined) - Number(ub !== undefined);
    const ea = ua > podRequest(a, resource);
    const eb = ub > podRequest(b, resource);
    return Number(eb) - Number(ea);
  };
}

function overRequests(usage: Map<string, PodUsage>, resource: 'memory' | 'ephemeral-storage'): Cmp {
  return (a, b) => {
    const ua = usageOf(usage, resource, a);
    const ub = usageOf(usage, resource, b);
    if (ua === undefined || ub === undefined) return Number(ua !== undefined) - Number(ub !== undefined);
    return (ub - podRequest(b, resource)) - (ua - podRequest(a, resource));
  };
}

function processes(usage: Map<string, PodUsage>): Cmp {
  return (a, b) => (usage.get(b.metadata?.uid ?? '')?.processes ?? 0) - (usage.get(a.metadata?.uid ?? '')?.processes ?? 0);
}

/** rankForEviction sorts pods, first to evict first, for the signal under pressure. */
export function rankForEviction(signal: Signal, pods: Pod[], usage: Map<string, PodUsage>): Pod[] {
  let cmp: Cmp;
  if (signal === 'memory.available') cmp = orderedBy(exceedsRequests(usage, 'memory'), priority, overRequests(usage, 'memory'));
  else if (signal === 'pid.available') cmp = orderedBy(priority, processes(usage));
  else cmp = orderedBy(exceedsRequests(usage, 'ephemeral-storage'), priority, overRequests(usage, 'ephemeral-storage'));
  return [...pods].sort(cmp);
}

/** SYSTEM_CRITICAL_PRIORITY is upstream's scheduling.SystemCriticalPriority; pods at or above it are never evicted. */
export const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

/** isCriticalPod is upstream kubelettypes.IsCriticalPod: static, mirror or system-critical priority. */
export function isCriticalPod(pod: Pod): boolean {
  const ann = pod.metadata?.annotations ?? {};
  if (ann[MIRROR_POD_ANNOTATION] || (ann['kubernetes.io/config.source'] && ann['kubernetes.io/config.source'] !== 'api')) return true;
  return (pod.spec?.priority ?? 0) >= SYSTEM_CRITICAL_PRIORITY;
}
