// SPDX-License-Identifier: Apache-2.0
/**
 * Framework runs one scheduling cycle for one pod: preFilter, filter over a
 * sample of the nodes, preScore and score over the feasible ones, and picks
 * the best (upstream schedule_one.go schedulePod/findNodesThatFitPod/
 * prioritizeNodes). Like upstream it stops filtering once it has found
 * enough feasible nodes (percentageOfNodesToScore) and starts the next pod
 * where this one stopped, so large clusters cost O(sample), not O(nodes).
 */
import type { Diagnosis } from './fit-error.js';
import type { NodeInfo } from './node-info.js';
import type { CycleState, Failure, Plugin, Snapshot, WeightedPlugin } from './plugin.js';
import type { PodInfo } from './pod-info.js';

/** MIN_FEASIBLE_NODES_TO_FIND is upstream's minFeasibleNodesToFind: small clusters are always searched fully. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;

/** FrameworkOptions configures the plugins and the node sample size. */
export interface FrameworkOptions {
  filters: Plugin[];
  scorers: WeightedPlugin[];
  /** percentageOfNodesToScore: 0 means adaptive, as upstream (50% minus 1% per 125 nodes, at least 5%). */
  percentageOfNodesToScore?: number;
}

/** ScheduleResult is the chosen node, or the diagnosis of why none fits. */
export type ScheduleResult = { node: NodeInfo; feasible: number } | { node?: undefined; diagnosis: Diagnosis };

/** numFeasibleNodesToFind is upstream's sample size for a cluster of `n` nodes. */
export function numFeasibleNodesToFind(n: number, percentage = 0): number {
  if (n < MIN_FEASIBLE_NODES_TO_FIND) return n;
  let pct = percentage;
  if (pct <= 0) pct = Math.max(5, 50 - Math.floor(n / 125));
  if (pct >= 100) return n;
  return Math.max(MIN_FEASIBLE_NODES_TO_FIND, Math.floor((n * pct) / 100));
}

/** Framework holds the configured plugins and the rotating start index. */
export class Framework {
  readonly #opts: FrameworkOptions;
  #nextStart = 0;

  constructor(opts: FrameworkOptions) {
    this.#opts = opts;
  }

  /** filterPlugins are the configured filters, for preemption's dry runs. */
  get filterPlugins(): readonly Plugin[] {
    return this.#opts.filters;
  }

  /** runPreFilters prepares cycle state; it returns the active filters or the Failure that rejects every node. */
  runPreFilters(state: CycleState, pod: PodInfo, snapshot: Snapshot): Plugin[] | Failure {
    const active: Plugin[] = [];
    for (const p of this.#opts.filters) {
      const r = p.preFilter?.(state, pod, snapshot);
      if (r === 'skip') continue;
      if (r) return { ...r, plugin: p.name };
      if (p.filter) active.push(p);
    }
    return active;
  }

  /** runFilters checks one node against the active filters; null means it fits. */
  runFilters(state: CycleState, pod: PodInfo, node: NodeInfo, filters: readonly Plugin[]): Failure | null {
    for (const p of filters) {
      const f = p.filter!(state, pod, node);
      if (f) return { ...f, plugin: p.name };
    }
    return null;
  }

  /** schedule runs one cycle for a pod against a snapshot. */
  schedule(pod: PodInfo, snapshot: Snapshot): ScheduleResult {
    const state: CycleState = new Map();
    const diagnosis: Diagnosis = { nodeFailures: new Map() };
    const filters = this.runPreFilters(state, pod, snapshot);
    if (!Array.isArray(filters)) {
      diagnosis.preFilterMsg = filters.reasons.join(', ');
      for (const n of snapshot.nodes) diagnosis.nodeFailures.set(n.name, filters);
      return { diagnosis };
    }
    const feasible = this.#findFeasible(state, pod, snapshot, filters, diagnosis);
    if (feasible.length === 0) return { diagnosis };
    if (feasible.length === 1) return { node: feasible[0], feasible: 1 };
    return { node: this.#pickBest(state, pod, feasible, snapshot), feasible: feasible.length };
  }

  #findFeasible(state: CycleState, pod: PodInfo, snapshot: Snapshot, filters: readonly Plugin[], diagnosis: Diagnosis): NodeInfo[] {
    const nodes = snapshot.nodes;
    // A pod that preempted others goes back to its nominated node first (upstream evaluateNominatedNode).
    const nominated = pod.pod.status?.nominatedNodeName;
    if (nominated) {
      const n = snapshot.get(nominated);
      if (n && !this.runFilters(state, pod, n, filters)) return [n];
    }
    const want = numFeasibleNodesToFind(nodes.length, this.#opts.percentageOfNodesToScore);
    const feasible: NodeInfo[] = [];
    const start = nodes.length ? this.#nextStart % nodes.length : 0;
    let processed = 0;
    for (; processed < nodes.length && feasible.length < want; processed++) {
      const node = nodes[(start + processed) % nodes.length];
      const f = this.runFilters(state, pod, node, filters);
      if (f) diagnosis.nodeFailures.set(node.name, f);
      else feasible.push(node);
    }
    this.#nextStart = nodes.length ? (start + processed) % nodes.length : 0;
    return feasible;
  }

  #pickBest(state: CycleState, pod: PodInfo, nodes: NodeInfo[], snapshot: Snapshot): NodeInfo {
    const totals = new Array<number>(nodes.length).fill(0);
    const scores = new Array<number>(nodes.length);
    for (const { plugin, weight } of this.#opts.scorers) {
      if (!plugin.score) continue;
      if (plugin.preScore?.(state, pod, nodes, snapshot) === 'skip') continue;
      for (let i = 0; i < nodes.length; i++) scores[i] = plugin.score(state, pod, nodes[i]);
      plugin.normalizeScore?.(state, pod, scores);
      for (let i = 0; i < nodes.length; i++) totals[i] += scores[i] * weight;
    }
    // Ties are broken uniformly at random, as upstream's selectHost (reservoir sampling).
    let best = 0;
    let ties = 1;
    for (let i = 1; i < nodes.length; i++) {
      if (totals[i] > totals[best]) {
        best = i;
        ties = 1;
      } else if (totals[i] === totals[best] && Math.random() * ++ties < 1) {
        best = i;
      }
    }
    return nodes[best];
  }
}
