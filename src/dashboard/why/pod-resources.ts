// SPDX-License-Identifier: Apache-2.0
/**
 * What nodes have left: allocatable minus the requests of the pods bound to
 * them that still hold resources (not Succeeded/Failed), as the scheduler's
 * NodeResourcesFit counts them.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../api/validation/quantity.js';
import { podRequests } from '../../api/scheduling/pod-resources.js';

/** NodeRoom is one node's allocatable, requested and free CPU (millicores) and memory (bytes). */
export interface NodeRoom {
  name: string;
  allocatable: { milliCPU: number; memory: number };
  requested: { milliCPU: number; memory: number };
  free: { milliCPU: number; memory: number };
}

function quantity(v: unknown, milli: boolean): number {
  if (v === undefined || v === null) return 0;
  try {
    const q = parseQuantity(v as string);
    return milli ? q.milliValue() : q.value();
  } catch {
    return 0;
  }
}

/** holdsResources is true for pods the scheduler still counts against their node. */
export function holdsResources(pod: Pod): boolean {
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

/** nodeRooms computes every node's free room from the pods bound to it. */
export function nodeRooms(nodes: Node[], pods: Pod[]): NodeRoom[] {
  const used = new Map<string, { milliCPU: number; memory: number }>();
  for (const pod of pods) {
    const node = pod.spec?.nodeName;
    if (!node || !holdsResources(pod)) continue;
    const r = podRequests(pod);
    const u = used.get(node) ?? { milliCPU: 0, memory: 0 };
    u.milliCPU += r.milliCPU;
    u.memory += r.memory;
    used.set(node, u);
  }
  return nodes.map((n) => {
    const alloc = n.status?.allocatable ?? n.status?.capacity ?? {};
    const allocatable = { milliCPU: quantity(alloc.cpu, true), memory: quantity(alloc.memory, false) };
    const requested = used.get(n.metadata?.name ?? '') ?? { milliCPU: 0, memory: 0 };
    return {
      name: n.metadata?.name ?? '',
      allocatable,
      requested,
      free: { milliCPU: allocatable.milliCPU - requested.milliCPU, memory: allocatable.memory - requested.memory },
    };
  });
}

/** formatCPU prints millicores as kubectl does (`250m`, `2`). */
export function formatCPU(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** formatMemory prints bytes in the largest binary unit that keeps one decimal (`512Mi`, `1.5Gi`). */
export function formatMemory(bytes: number): string {
  const units = ['', 'Ki', 'Mi', 'Gi', 'Ti'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)}${units[i]}`;
}
