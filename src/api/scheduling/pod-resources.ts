// SPDX-License-Identifier: Apache-2.0
/**
 * Resource arithmetic for scheduling, on plain numbers: CPU in millicores,
 * everything else in whole units. Quantities are parsed once per pod and
 * node (parseQuantity is exact but BigInt-based, too slow for the hot path).
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../validation/quantity.js';

/** Resources is a set of resource amounts: cpu in millicores, the rest in units. */
export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** scalar holds extended resources (e.g. example.com/gpu, hugepages-2Mi) by name. */
  scalar: Map<string, number>;
}

/** DEFAULT_MILLI_CPU_REQUEST is what scoring assumes for a container without a cpu request (upstream schedutil). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** DEFAULT_MEMORY_REQUEST is what scoring assumes for a container without a memory request (200Mi, upstream schedutil). */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** emptyResources returns a zero Resources. */
export function emptyResources(): Resources {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: new Map() };
}

/** toResources converts a ResourceList (name → quantity string) to numbers; unparsable entries count as zero. */
export function toResources(list: Record<string, unknown> | undefined): Resources {
  const r = emptyResources();
  if (!list) return r;
  for (const [name, raw] of Object.entries(list)) {
    let q;
    try {
      q = parseQuantity(raw as string | number);
    } catch {
      continue;
    }
    if (name === 'cpu') r.milliCPU = q.milliValue();
    else if (name === 'memory') r.memory = q.value();
    else if (name === 'ephemeral-storage') r.ephemeralStorage = q.value();
    else if (name !== 'pods') r.scalar.set(name, q.value());
  }
  return r;
}

/** addResources adds b into a in place. */
export function addResources(a: Resources, b: Resources, sign = 1): void {
  a.milliCPU += sign * b.milliCPU;
  a.memory += sign * b.memory;
  a.ephemeralStorage += sign * b.ephemeralStorage;
  for (const [k, v] of b.scalar) a.scalar.set(k, (a.scalar.get(k) ?? 0) + sign * v);
}

/** maxResources raises a to at least b in place, per resource. */
function maxResources(a: Resources, b: Resources): void {
  a.milliCPU = Math.max(a.milliCPU, b.milliCPU);
  a.memory = Math.max(a.memory, b.memory);
  a.ephemeralStorage = Math.max(a.ephemeralStorage, b.ephemeralStorage);
  for (const [k, v] of b.scalar) a.scalar.set(k, Math.max(a.scalar.get(k) ?? 0, v));
}

function containerRequests(c: Container): Resources {
  return toResources(c.resources?.requests as Record<string, unknown> | undefined);
}

/**
 * podRequests is the effective request of a pod, as upstream's
 * resourcehelper.PodRequests: the sum over app containers (plus restartable
 * "sidecar" init containers), raised to the largest single regular init
 * container (they run one at a time before the app containers), plus the
 * pod overhead.
 */
export function podRequests(pod: Pod): Resources {
  const total = emptyResources();
  for (const c of pod.spec?.containers ?? []) addResources(total, containerRequests(c));
  const sidecars = emptyResources();
  const initMax = emptyResources();
  for (const c of pod.spec?.initContainers ?? []) {
    const req = containerRequests(c);
    if (c.restartPolicy === 'Always') {
      addResources(sidecars, req);
      addResources(total, req);
      continue;
    }
    // A regular init container runs next to the sidecars started before it.
    const during = emptyResources();
    addResources(during, req);
    addResources(during, sidecars);
    maxResources(initMax, during);
  }
  maxResources(total, initMax);
  if (pod.spec?.overhead) addResources(total, toResources(pod.spec.overhead as Record<string, unknown>));
  return total;
}

/**
 * podNonZeroRequests is the request used for scoring: containers that ask
 * for no cpu or memory count as 100m / 200Mi, so that empty-request pods
 * still spread (upstream GetNonzeroRequests).
 */
export function podNonZeroRequests(pod: Pod): { milliCPU: number; memory: number } {
  let milliCPU = 0;
  let memory = 0;
  for (const c of pod.spec?.containers ?? []) {
    const req = containerRequests(c);
    milliCPU += req.milliCPU || DEFAULT_MILLI_CPU_REQUEST;
    memory += req.memory || DEFAULT_MEMORY_REQUEST;
  }
  const overhead = toResources(pod.spec?.overhead as Record<string, unknown> | undefined);
  return { milliCPU: milliCPU + overhead.milliCPU, memory: memory + overhead.memory };
}
