// SPDX-License-Identifier: Apache-2.0
/**
 * DefaultTolerationSeconds admission (upstream plugin/pkg/admission/
 * defaulttolerationseconds): every pod tolerates not-ready and unreachable
 * NoExecute taints for 300 s unless it already says how long, so a node
 * outage evicts pods after five minutes, not at once.
 */
import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';

/** NOT_READY_TAINT and UNREACHABLE_TAINT are the node lifecycle taint keys. */
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';

/** DEFAULT_TOLERATION_SECONDS is upstream's default (--default-not-ready-toleration-seconds and unreachable alike). */
export const DEFAULT_TOLERATION_SECONDS = 300;

function covers(t: Toleration, key: string): boolean {
  // A toleration covers the taint if it could match it: same key (or the empty key with Exists) and NoExecute or any effect.
  const keyMatches = t.key === key || (!t.key && t.operator === 'Exists');
  return keyMatches && (!t.effect || t.effect === 'NoExecute');
}

/**
 * defaultTolerations returns the pod's tolerations plus the two default
 * ones it lacks. The pod is not modified.
 */
export function defaultTolerations(pod: Pod, seconds = DEFAULT_TOLERATION_SECONDS): Toleration[] {
  const out = [...(pod.spec?.tolerations ?? [])];
  for (const key of [NOT_READY_TAINT, UNREACHABLE_TAINT]) {
    if (!out.some((t) => covers(t, key))) out.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  }
  return out;
}
