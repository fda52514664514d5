// SPDX-License-Identifier: Apache-2.0
/**
 * The downward API: a pod's own fields and its containers' resources as
 * strings, for env vars (fieldRef, resourceFieldRef) and downwardAPI volumes,
 * as upstream pkg/fieldpath and pkg/api/v1/resource do. Unset limits read as
 * the node's allocatable amount.
 */
import type { Container, ObjectFieldSelector, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../api/index.js';

/** NodeAllocatable is what an unset limit falls back to. */
export interface NodeAllocatable {
  cpuMilli: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
}

/** PodRuntimeFields are status fields the kubelet knows before the status is written. */
export interface PodRuntimeFields {
  podIP?: string;
  hostIP?: string;
}

// Labels and annotations render as sorted `key="value"` lines with Go %q escaping, as upstream FormatMap.
function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

/** fieldRefValue resolves an ObjectFieldSelector against a pod; throws on an unsupported path. */
export function fieldRefValue(pod: Pod, sel: ObjectFieldSelector, rt: PodRuntimeFields): string {
  const path = sel.fieldPath;
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2]] ?? '';
  switch (path) {
    case 'metadata.name': return pod.metadata?.name ?? '';
    case 'metadata.namespace': return pod.metadata?.namespace ?? '';
    case 'metadata.uid': return pod.metadata?.uid ?? '';
    case 'metadata.labels': return formatMap(pod.metadata?.labels);
    case 'metadata.annotations': return formatMap(pod.metadata?.annotations);
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP': return rt.hostIP ?? '';
    case 'status.hostIPs': return rt.hostIP ?? '';
    case 'status.podIP': return rt.podIP ?? '';
    case 'status.podIPs': return rt.podIP ?? '';
    default: throw new Error(`unsupported fieldPath: ${path}`);
  }
}

/** resourceFieldRefValue resolves requests/limits of a container, divided by the divisor and rounded up. */
export function resourceFieldRefValue(pod: Pod, sel: ResourceFieldSelector, defaultContainer: Container | undefined, node: NodeAllocatable): string {
  const c = sel.containerName
    ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x) => x.name === sel.containerName)
    : defaultContainer;
  if (!c) throw new Error(`container ${sel.containerName} not found in pod`);
  const [kind, res] = sel.resource.split(/\.(.*)/s);
  const list = (kind === 'limits' ? c.resources?.limits : c.resources?.requests) as Record<string, string | number> | undefined;
  const raw = list?.[res];
  const divisor = parseQuantity((sel.divisor as string | number | undefined) ?? 1);
  let nano: bigint;
  if (raw !== undefined) nano = parseQuantity(raw).nano;
  else if (kind === 'limits' || res === 'cpu' || res === 'memory' || res === 'ephemeral-storage') {
    // Unset limits read as node allocatable; unset requests as 0 (upstream ExtractContainerResourceValue + defaults).
    if (kind !== 'limits') nano = 0n;
    else if (res === 'cpu') nano = BigInt(node.cpuMilli) * 1_000_000n;
    else if (res === 'memory') nano = BigInt(node.memoryBytes) * 1_000_000_000n;
    else nano = BigInt(node.ephemeralStorageBytes) * 1_000_000_000n;
  } else throw new Error(`unsupported container resource: ${sel.resource}`);
  if (divisor.nano === 0n) throw new Error('divisor must not be zero');
  const q = (nano + divisor.nano - 1n) / divisor.nano;
  return String(q);
}
