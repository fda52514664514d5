// SPDX-License-Identifier: Apache-2.0
/**
 * Matching pods' node requirements against nodes: spec.nodeSelector and
 * required node affinity, as upstream's component-helpers nodeaffinity
 * (terms are ORed, expressions within a term ANDed; a term with no
 * expressions matches nothing).
 */
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';

/** requirementMatches evaluates one NodeSelectorRequirement against a value (undefined: the label is absent). */
export function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const vals = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && vals.includes(value);
    case 'NotIn':
      return value === undefined || !vals.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || vals.length !== 1) return false;
      const have = Number.parseInt(value, 10);
      const want = Number.parseInt(vals[0], 10);
      if (Number.isNaN(have) || Number.isNaN(want)) return false;
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** termMatches evaluates one NodeSelectorTerm (matchExpressions on labels, matchFields on metadata.name). */
export function termMatches(term: NodeSelectorTerm, labels: Record<string, string>, nodeName: string): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const e of exprs) if (!requirementMatches(e, labels[e.key])) return false;
  for (const f of fields) if (!requirementMatches(f, f.key === 'metadata.name' ? nodeName : undefined)) return false;
  return true;
}

/** podMatchesNodeSelectorAndAffinity reports whether a node satisfies a pod's nodeSelector and required node affinity. */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const labels = (node.metadata?.labels ?? {}) as Record<string, string>;
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  const name = node.metadata?.name ?? '';
  return required.nodeSelectorTerms.some((t) => termMatches(t, labels, name));
}

/** preferredAffinityScore sums the weights of the preferred terms a node matches. */
export function preferredAffinityScore(terms: readonly PreferredSchedulingTerm[], node: Node): number {
  const labels = (node.metadata?.labels ?? {}) as Record<string, string>;
  const name = node.metadata?.name ?? '';
  let sum = 0;
  for (const t of terms) if (t.weight && termMatches(t.preference, labels, name)) sum += t.weight;
  return sum;
}
