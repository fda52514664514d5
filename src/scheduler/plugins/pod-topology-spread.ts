// SPDX-License-Identifier: Apache-2.0
/**
 * PodTopologySpread: DoNotSchedule constraints filter nodes whose domain
 * would exceed maxSkew over the least-loaded domain; ScheduleAnyway
 * constraints score nodes by how many matching pods their domains already
 * hold (upstream podtopologyspread/filtering.go and scoring.go). Domains
 * are counted once per pod over the nodes that pass the pod's node
 * affinity (nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore: the defaults).
 */
import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { labelSelectorMatches, type LabelSelector } from '../../api/index.js';
import type { NodeInfo } from '../framework/node-info.js';
import { podMatchesNodeSelectorAndAffinity } from '../../api/index.js';
import { MAX_NODE_SCORE, unresolvable, unschedulable, type Plugin, type Snapshot } from '../framework/plugin.js';
import type { PodInfo } from '../framework/pod-info.js';
import { topologyPair } from './affinity-term.js';

/** Reasons, as upstream's ErrReason* constants. */
export const SPREAD_MISMATCH = "node(s) didn't match pod topology spread constraints";
export const SPREAD_MISSING_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)";

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  minDomains: number;
  selector: LabelSelector;
  selfMatch: number;
}

interface SpreadState {
  constraints: Constraint[];
  /** counts maps topology pair → matching pods in that domain. */
  counts: Map<string, number>;
  /** minByKey is the smallest domain count per topology key. */
  minByKey: Map<string, number>;
}

/** toConstraint resolves matchLabelKeys into the selector, as upstream does at admission. */
function toConstraint(c: TopologySpreadConstraint, pod: PodInfo): Constraint {
  const selector: LabelSelector = { matchLabels: { ...(c.labelSelector?.matchLabels ?? {}) }, matchExpressions: [...(c.labelSelector?.matchExpressions ?? [])] };
  for (const k of c.matchLabelKeys ?? []) if (pod.labels[k] !== undefined) selector.matchLabels![k] = pod.labels[k];
  return { maxSkew: c.maxSkew, topologyKey: c.topologyKey, minDomains: c.minDomains ?? 1, selector, selfMatch: labelSelectorMatches(selector, pod.labels) ? 1 : 0 };
}

function countMatching(node: NodeInfo, pod: PodInfo, c: Constraint): number {
  let n = 0;
  for (const p of node.pods.values()) {
    if (p.namespace === pod.namespace && !p.pod.metadata?.deletionTimestamp && labelSelectorMatches(c.selector, p.labels)) n++;
  }
  return n;
}

function buildState(pod: PodInfo, snapshot: Snapshot, whenUnsatisfiable: string): SpreadState {
  const constraints = (pod.pod.spec?.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === whenUnsatisfiable).map((c) => toConstraint(c, pod));
  const s: SpreadState = { constraints, counts: new Map(), minByKey: new Map() };
  if (!constraints.length) return s;
  for (const node of snapshot.nodes) {
    if (!podMatchesNodeSelectorAndAffinity(pod.pod, node.node)) continue;
    if (!constraints.every((c) => node.labels[c.topologyKey] !== undefined)) continue;
    for (const c of constraints) {
      const k = topologyPair(c.topologyKey, node.labels[c.topologyKey]);
      s.counts.set(k, (s.counts.get(k) ?? 0) + countMatching(node, pod, c));
    }
  }
  for (const c of constraints) {
    let min = Infinity;
    let domains = 0;
    const prefix = topologyPair(c.topologyKey, '');
    for (const [k, n] of s.counts) {
      if (!k.startsWith(prefix)) continue;
      domains++;
      if (n < min) min = n;
    }
    // With fewer eligible domains than minDomains, the global minimum is taken as 0.
    s.minByKey.set(c.topologyKey, domains < c.minDomains || min === Infinity ? 0 : min);
  }
  return s;
}

const FILTER_KEY = 'PodTopologySpread/filter';
const SCORE_KEY = 'PodTopologySpread/score';

/** podTopologySpread is the PodTopologySpread filter (DoNotSchedule) and score (ScheduleAnyway) plugin. */
export const podTopologySpread: Plugin = {
  name: 'PodTopologySpread',
  preFilter(state, pod, snapshot) {
    if (!pod.pod.spec?.topologySpreadConstraints?.length) return 'skip';
    state.set(FILTER_KEY, buildState(pod, snapshot, 'DoNotSchedule'));
    return null;
  },
  filter(state, _pod, node) {
    const s = state.get(FILTER_KEY) as SpreadState;
    for (const c of s.constraints) {
      const v = node.labels[c.topologyKey];
      if (v === undefined) return unresolvable(SPREAD_MISSING_LABEL);
      const skew = (s.counts.get(topologyPair(c.topologyKey, v)) ?? 0) + c.selfMatch - (s.minByKey.get(c.topologyKey) ?? 0);
      if (skew > c.maxSkew) return unschedulable(SPREAD_MISMATCH);
    }
    return null;
  },
  preScore(state, pod, _nodes, snapshot) {
    if (!(pod.pod.spec?.topologySpreadConstraints ?? []).some((c) => c.whenUnsatisfiable === 'ScheduleAnyway')) return 'skip';
    state.set(SCORE_KEY, buildState(pod, snapshot, 'ScheduleAnyway'));
  },
  score(state, _pod, node) {
    const s = state.get(SCORE_KEY) as SpreadState;
    let sum = 0;
    for (const c of s.constraints) {
      const v = node.labels[c.topologyKey];
      if (v === undefined) return -1;
      sum += (s.counts.get(topologyPair(c.topologyKey, v)) ?? 0) + c.maxSkew - 1;
    }
    return sum;
  },
  normalizeScore(state, _pod, scores) {
    const s = state.get(SCORE_KEY) as SpreadState | undefined;
    if (!s?.constraints.length) {
      scores.fill(0);
      return;
    }
    // Fewer matching pods is better; nodes without the topology labels (-1) get 0, as upstream.
    let min = Infinity;
    let max = 0;
    for (const v of scores) if (v >= 0) (min = Math.min(min, v)), (max = Math.max(max, v));
    for (let i = 0; i < scores.length; i++) {
      if (scores[i] < 0) scores[i] = 0;
      else scores[i] = max === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max + min - scores[i])) / max);
    }
  },
};
