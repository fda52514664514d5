// SPDX-License-Identifier: Apache-2.0
/**
 * Taint/toleration matching as upstream's Toleration.ToleratesTaint
 * (k8s.io/api/core/v1/toleration.go). Shared by the scheduler's
 * TaintToleration and NodeUnschedulable plugins and by the node lifecycle
 * controller's taint-based eviction.
 */
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';

/** toleratesTaint reports whether one toleration matches a taint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  // An empty key with Exists tolerates every key; otherwise keys must be equal.
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

/** tolerationsTolerateTaint reports whether any of the tolerations matches the taint. */
export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  for (const t of tolerations ?? []) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** findUntoleratedTaint returns the first taint selected by `effects` that no toleration tolerates. */
export function findUntoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined, effects: readonly string[]): Taint | undefined {
  for (const taint of taints) {
    if (!effects.includes(taint.effect)) continue;
    if (!tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}
