// SPDX-License-Identifier: Apache-2.0
/**
 * Matching a pod (anti-)affinity term against a pod: the term's label
 * selector plus its namespaces, which default to the namespace of the pod
 * that owns the term (upstream framework.AffinityTerm).
 */
import type { PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { labelSelectorMatches } from '../../api/index.js';
import type { PodInfo } from '../framework/pod-info.js';

/**
 * termMatchesPod reports whether `term`, owned by a pod in `ownerNamespace`,
 * selects `target`. A namespaceSelector is honoured only when empty (all
 * namespaces): the scheduler does not watch Namespaces yet.
 */
export function termMatchesPod(term: PodAffinityTerm, ownerNamespace: string, target: PodInfo): boolean {
  const namespaces = term.namespaces ?? [];
  const nsSel = term.namespaceSelector;
  const allNamespaces = !!nsSel && Object.keys(nsSel.matchLabels ?? {}).length === 0 && (nsSel.matchExpressions ?? []).length === 0;
  if (!allNamespaces) {
    const ok = namespaces.length ? namespaces.includes(target.namespace) : target.namespace === ownerNamespace;
    if (!ok) return false;
  }
  // A term without a labelSelector selects no pods (upstream: nil selector matches nothing).
  return !!term.labelSelector && labelSelectorMatches(term.labelSelector, target.labels);
}

/** topologyPair is the "key=value" string a domain is counted under. */
export function topologyPair(key: string, value: string): string {
  return `${key}\u0000${value}`;
}
