// SPDX-License-Identifier: Apache-2.0
/**
 * The scheduling framework's extension points, reduced to what Skiff needs:
 * preFilter (once per pod), filter (per node), preScore (once, over the
 * feasible nodes) and score (per feasible node) with optional normalization,
 * as upstream's pkg/scheduler/framework/interface.go.
 */
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';

/**
 * FailureCode says whether evicting pods could help (Unschedulable) or not
 * (UnschedulableAndUnresolvable); preemption only looks at nodes of the first kind.
 */
export type FailureCode = 'Unschedulable' | 'UnschedulableAndUnresolvable';

/** Failure is a plugin's verdict against a node (or, from preFilter, against every node). */
export interface Failure {
  code: FailureCode;
  reasons: string[];
  plugin?: string;
}

/** unschedulable builds a Failure preemption may resolve. */
export function unschedulable(...reasons: string[]): Failure {
  return { code: 'Unschedulable', reasons };
}

/** unresolvable builds a Failure preemption cannot resolve. */
export function unresolvable(...reasons: string[]): Failure {
  return { code: 'UnschedulableAndUnresolvable', reasons };
}

/** Snapshot is the read-only view of the cluster one scheduling cycle sees. */
export interface Snapshot {
  /** nodes lists every node, in a stable order. */
  nodes: readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** havePodsWithAffinity lists nodes holding at least one pod with (anti-)affinity terms. */
  havePodsWithAffinity(): NodeInfo[];
}

/** CycleState carries data from a plugin's preFilter/preScore to its filter/score within one pod's cycle. */
export type CycleState = Map<string, unknown>;

/** MAX_NODE_SCORE is the top of the score range every plugin normalizes to (upstream framework.MaxNodeScore). */
export const MAX_NODE_SCORE = 100;

/** Plugin is one scheduling plugin; it implements any subset of the extension points. */
export interface Plugin {
  readonly name: string;
  /** preFilter runs once per pod; a Failure rejects every node with it, 'skip' means this plugin's filter has nothing to check for the pod. */
  preFilter?(state: CycleState, pod: PodInfo, snapshot: Snapshot): Failure | 'skip' | null;
  /** filter decides if the pod can run on a node; null means it can. */
  filter?(state: CycleState, pod: PodInfo, node: NodeInfo): Failure | null;
  /** preScore runs once before scoring, over the feasible nodes; 'skip' means this plugin does not score the pod. */
  preScore?(state: CycleState, pod: PodInfo, nodes: NodeInfo[], snapshot: Snapshot): 'skip' | void;
  /** score ranks one feasible node (higher is better). */
  score?(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** normalizeScore rescales the scores of all feasible nodes, in place, to 0..MAX_NODE_SCORE. */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: number[]): void;
}

/** WeightedPlugin is a plugin with the weight its scores carry in the default profile. */
export interface WeightedPlugin {
  plugin: Plugin;
  weight: number;
}

/** normalizeToMax rescales scores so the highest becomes MAX_NODE_SCORE (reverse: the lowest does), as upstream's DefaultNormalizeScore. */
export function normalizeToMax(scores: number[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.floor((MAX_NODE_SCORE * scores[i]) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}
