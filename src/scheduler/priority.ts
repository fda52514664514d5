// SPDX-License-Identifier: Apache-2.0
/**
 * Pod priority: spec.priority, or, when the API server left it unset, the
 * value of the PriorityClass named by spec.priorityClassName (upstream's
 * Priority admission plugin does this at create time; the scheduler does it
 * as a fallback so priorities work whichever way the server is built).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';

/** SYSTEM_PRIORITY_CLASSES are the built-in classes every cluster has (upstream scheduling/types.go). */
export const SYSTEM_PRIORITY_CLASSES: Record<string, number> = {
  'system-cluster-critical': 2_000_000_000,
  'system-node-critical': 2_000_001_000,
};

/** PriorityLookup returns a PriorityClass's value, or undefined when it does not exist. */
export type PriorityLookup = (className: string) => number | undefined;

/** withResolvedPriority returns the pod itself, or a shallow copy with spec.priority filled from its class. */
export function withResolvedPriority(pod: Pod, lookup: PriorityLookup): Pod {
  const spec = pod.spec;
  if (!spec || spec.priority !== undefined) return pod;
  const cls = spec.priorityClassName;
  const value = cls ? (SYSTEM_PRIORITY_CLASSES[cls] ?? lookup(cls)) : undefined;
  return { ...pod, spec: { ...spec, priority: value ?? 0 } };
}
