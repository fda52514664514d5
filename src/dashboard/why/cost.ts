// SPDX-License-Identifier: Apache-2.0
/**
 * A cost estimate from what pods reserve (requests) and what they use
 * (metrics.k8s.io), at prices the user sets, as seed 000 tracks its monthly
 * bill. A month is 730 hours, as cloud price sheets count it.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podRequests } from '../../api/scheduling/pod-resources.js';
import { holdsResources } from './pod-resources.js';

export const HOURS_PER_MONTH = 730;
const GIB = 1024 ** 3;

export interface Prices {
  perVCPUHour: number;
  perGiBHour: number;
}

/** CostLine is one namespace's or workload's requested resources and their monthly price. */
export interface CostLine {
  key: string;
  milliCPU: number;
  memory: number;
  monthly: number;
}

/** monthlyCost prices millicores and bytes for a month. */
export function monthlyCost(milliCPU: number, memory: number, prices: Prices): number {
  return ((milliCPU / 1000) * prices.perVCPUHour + (memory / GIB) * prices.perGiBHour) * HOURS_PER_MONTH;
}

/** costByNamespace sums running pods' requests per namespace, most expensive first. */
export function costByNamespace(pods: Pod[], prices: Prices): CostLine[] {
  const lines = new Map<string, CostLine>();
  for (const pod of pods) {
    if (!pod.spec?.nodeName || !holdsResources(pod)) continue;
    const key = pod.metadata?.namespace ?? '';
    const r = podRequests(pod);
    const line = lines.get(key) ?? { key, milliCPU: 0, memory: 0, monthly: 0 };
    line.milliCPU += r.milliCPU;
    line.memory += r.memory;
    lines.set(key, line);
  }
  for (const l of lines.values()) l.monthly = monthlyCost(l.milliCPU, l.memory, prices);
  return [...lines.values()].sort((a, b) => b.monthly - a.monthly);
}
