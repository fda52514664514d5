// SPDX-License-Identifier: Apache-2.0
/**
 * PodInfo is a pod with everything the plugins need precomputed once:
 * requests, host ports, affinity terms. Plugins run thousands of times per
 * second, so none of them parses quantities or walks containers itself.
 */
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { podNonZeroRequests, podRequests, type Resources } from '../../api/index.js';

/** HostPort is one hostPort a pod claims on its node. */
export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** PodInfo is a read-only pod plus derived scheduling data. */
export interface PodInfo {
  pod: Pod;
  /** key is namespace/name. */
  key: string;
  namespace: string;
  labels: Record<string, string>;
  requests: Resources;
  nonZero: { milliCPU: number; memory: number };
  hostPorts: HostPort[];
  priority: number;
  requiredAffinity: PodAffinityTerm[];
  requiredAntiAffinity: PodAffinityTerm[];
  preferredAffinity: WeightedPodAffinityTerm[];
  preferredAntiAffinity: WeightedPodAffinityTerm[];
}

/** podKey is namespace/name, the key pods are tracked by. */
export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/** hostPortsOf lists the hostPorts of a pod's containers (0 means none). */
function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.hostPort) out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol ?? 'TCP', port: p.hostPort });
    }
  }
  return out;
}

/** newPodInfo derives the scheduling data of a pod (the pod itself is kept by reference and never mutated). */
export function newPodInfo(pod: Pod): PodInfo {
  const aff = pod.spec?.affinity;
  return {
    pod,
    key: podKey(pod),
    namespace: pod.metadata?.namespace ?? '',
    labels: (pod.metadata?.labels ?? {}) as Record<string, string>,
    requests: podRequests(pod),
    nonZero: podNonZeroRequests(pod),
    hostPorts: hostPortsOf(pod),
    priority: pod.spec?.priority ?? 0,
    requiredAffinity: aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [],
    requiredAntiAffinity: aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [],
    preferredAffinity: aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [],
    preferredAntiAffinity: aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [],
  };
}
