// SPDX-License-Identifier: Apache-2.0
/**
 * What one object costs against a ResourceQuota, after upstream
 * pkg/quota/v1/evaluator/core: every object counts as `count/<resource>.<group>`
 * (and under its legacy name for pods, services, configmaps, secrets,
 * persistentvolumeclaims, replicationcontrollers, resourcequotas); a
 * non-terminal pod also costs its requests and limits (max of the sum of
 * containers and the largest init container); services cost node ports and
 * load balancers; claims cost their storage request. The quota controller
 * sums these; the admission plugin charges them.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../object.js';
import { Quantity, parseQuantity } from '../validation/quantity.js';

/** ResourceList maps resource names to amounts. */
export type ResourceList = Record<string, Quantity>;

/** QuotaKind names a resource as the evaluator sees it. */
export interface QuotaKind {
  group: string;
  plural: string;
}

/** LEGACY_COUNTS are the core resources quota also counts by their bare name. */
const LEGACY_COUNTS = new Set(['pods', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas']);

/** COMPUTE is every pod resource name quota can track (upstream podResources). */
const COMPUTE = ['cpu', 'memory', 'ephemeral-storage'];

/** objectCountName is `count/<plural>` for the core group, `count/<plural>.<group>` otherwise. */
export function objectCountName(kind: QuotaKind): string {
  return kind.group ? `count/${kind.plural}.${kind.group}` : `count/${kind.plural}`;
}

/** usageOf is what one object costs. */
export function usageOf(kind: QuotaKind, obj: KubeObject): ResourceList {
  const one = Quantity.fromValue(1);
  const out: ResourceList = { [objectCountName(kind)]: one };
  if (kind.group !== '') return out;
  if (kind.plural === 'pods') return { ...out, ...podUsage(obj as Pod) };
  if (LEGACY_COUNTS.has(kind.plural)) out[kind.plural] = one;
  if (kind.plural === 'services') Object.assign(out, serviceUsage(obj));
  if (kind.plural === 'persistentvolumeclaims') Object.assign(out, claimUsage(obj));
  return out;
}

/** isTerminalPod: a Succeeded or Failed pod no longer uses quota beyond its object count (upstream QuotaV1Pod). */
export function isTerminalPod(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** podUsage is upstream's PodUsageFunc. */
export function podUsage(pod: Pod): ResourceList {
  if (isTerminalPod(pod)) return {};
  const out: ResourceList = { pods: Quantity.fromValue(1) };
  const requests = podResources(pod, 'requests');
  const limits = podResources(pod, 'limits');
  for (const r of COMPUTE) {
    if (requests[r]) {
      out[`requests.${r}`] = requests[r];
      out[r] = requests[r];
    }
    if (limits[r]) out[`limits.${r}`] = limits[r];
  }
  return out;
}

/** podResources sums one side (requests or limits) of the containers, raised to the largest init container, plus overhead. */
export function podResources(pod: Pod, side: 'requests' | 'limits'): ResourceList {
  const sum: ResourceList = {};
  for (const c of pod.spec?.containers ?? []) addInto(sum, containerSide(c, side));
  for (const c of pod.spec?.initContainers ?? []) {
    for (const [k, v] of Object.entries(containerSide(c, side))) if (!sum[k] || sum[k].cmp(v) < 0) sum[k] = v;
  }
  addInto(sum, parseList(pod.spec?.overhead));
  return sum;
}

function containerSide(c: Container, side: 'requests' | 'limits'): ResourceList {
  return parseList(c.resources?.[side]);
}

/** parseList parses a map of quantities, skipping malformed ones (validation rejects those earlier). */
export function parseList(list: Record<string, string | number> | undefined): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(list ?? {})) {
    try {
      out[k] = parseQuantity(v);
    } catch {
      // Not a quantity: nothing to count.
    }
  }
  return out;
}

/** addInto adds b into a. */
export function addInto(a: ResourceList, b: ResourceList): ResourceList {
  for (const [k, v] of Object.entries(b)) a[k] = a[k] ? a[k].add(v) : v;
  return a;
}

function serviceUsage(obj: KubeObject): ResourceList {
  const spec = (obj.spec ?? {}) as { type?: string; ports?: unknown[] };
  const out: ResourceList = {};
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') out['services.nodeports'] = Quantity.fromValue((spec.ports ?? []).length);
  if (spec.type === 'LoadBalancer') out['services.loadbalancers'] = Quantity.fromValue(1);
  return out;
}

function claimUsage(obj: KubeObject): ResourceList {
  const spec = (obj.spec ?? {}) as { storageClassName?: string; resources?: { requests?: Record<string, string> } };
  const out: ResourceList = {};
  const storage = parseList(spec.resources?.requests).storage;
  if (storage) out['requests.storage'] = storage;
  if (spec.storageClassName) {
    const prefix = `${spec.storageClassName}.storageclass.storage.k8s.io/`;
    out[`${prefix}persistentvolumeclaims`] = Quantity.fromValue(1);
    if (storage) out[`${prefix}requests.storage`] = storage;
  }
  return out;
}

/** QuotaSpec is the part of a ResourceQuota spec the evaluator reads. */
export interface QuotaSpec {
  hard?: Record<string, string>;
  scopes?: string[];
}

/**
 * matchesScopes: a scoped quota only sees pods that fit every scope
 * (Terminating: activeDeadlineSeconds set; BestEffort: no requests or limits
 * for cpu or memory anywhere); other objects never match a scoped quota.
 */
export function matchesScopes(spec: QuotaSpec, kind: QuotaKind, obj: KubeObject): boolean {
  const scopes = spec.scopes ?? [];
  if (scopes.length === 0) return true;
  if (kind.group !== '' || kind.plural !== 'pods') return false;
  const pod = obj as Pod;
  return scopes.every((s) => {
    const terminating = pod.spec?.activeDeadlineSeconds !== undefined && pod.spec.activeDeadlineSeconds >= 0;
    if (s === 'Terminating') return terminating;
    if (s === 'NotTerminating') return !terminating;
    if (s === 'BestEffort') return isBestEffort(pod);
    if (s === 'NotBestEffort') return !isBestEffort(pod);
    return false;
  });
}

function isBestEffort(pod: Pod): boolean {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  return all.every((c) => ['requests', 'limits'].every((side) => !['cpu', 'memory'].some((r) => c.resources?.[side as 'requests']?.[r] !== undefined)));
}

/** REQUIRED_EXPLICIT are the pod resources a quota forces every container to declare (upstream's backward-compatible validationSet). */
const REQUIRED_EXPLICIT = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

/**
 * podConstraints is upstream's podEvaluator.Constraints: when a quota
 * tracks cpu or memory, every container must state that request or limit.
 * Returns the message (`must specify limits.cpu for: c1,c2; ...`) or undefined.
 */
export function podConstraints(pod: Pod, tracked: string[]): string | undefined {
  const missing = new Map<string, Set<string>>();
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  for (const r of tracked.filter((t) => REQUIRED_EXPLICIT.has(t))) {
    const side = r.startsWith('limits.') ? 'limits' : 'requests';
    const base = r.replace(/^(requests|limits)\./, '');
    for (const c of containers) {
      if (c.resources?.[side]?.[base] !== undefined) continue;
      if (!missing.has(r)) missing.set(r, new Set());
      missing.get(r)!.add(c.name);
    }
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

/** prettyList renders a list as upstream's prettyPrint: sorted `name=value` joined by commas. */
export function prettyList(list: ResourceList): string {
  return Object.keys(list)
    .sort()
    .map((k) => `${k}=${list[k].toString()}`)
    .join(',');
}
