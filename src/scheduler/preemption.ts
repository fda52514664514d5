// SPDX-License-Identifier: Apache-2.0
/**
 * Preemption (upstream's DefaultPreemption PostFilter, simplified): when a
 * pod fits nowhere, find a node where evicting lower-priority pods makes it
 * fit, evicting as few and as unimportant pods as possible. PodDisruption
 * budgets and the extender hooks are not considered.
 */
import type { Diagnosis } from './framework/fit-error.js';
import { fitErrorMessage } from './framework/fit-error.js';
import type { Framework } from './framework/framework.js';
import type { NodeInfo } from './framework/node-info.js';
import { unresolvable, type Failure, type Snapshot } from './framework/plugin.js';
import type { PodInfo } from './framework/pod-info.js';

/** Reasons and messages, as upstream's preemption code. */
export const NO_VICTIMS = 'No preemption victims found for incoming pod';
export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NOT_ELIGIBLE_NEVER = 'not eligible due to preemptionPolicy=Never.';
export const NOT_ELIGIBLE_TERMINATING = 'not eligible due to a terminating pod on the nominated node.';

/** PreemptionOutcome is the chosen node and victims, or the message explaining why there is none. */
export type PreemptionOutcome = { nodeName: string; victims: PodInfo[] } | { nodeName?: undefined; message: string };

function eligible(pod: PodInfo, snapshot: Snapshot): string | null {
  if (pod.pod.spec?.preemptionPolicy === 'Never') return NOT_ELIGIBLE_NEVER;
  const nominated = pod.pod.status?.nominatedNodeName;
  const ni = nominated ? snapshot.get(nominated) : undefined;
  // Victims chosen earlier are still terminating: wait for them instead of preempting again.
  if (ni) for (const p of ni.pods.values()) if (p.pod.metadata?.deletionTimestamp && p.priority < pod.priority) return NOT_ELIGIBLE_TERMINATING;
  return null;
}

/** selectVictims dry-runs one node: remove lower-priority pods, then give back as many as still allow a fit. */
function selectVictims(fw: Framework, pod: PodInfo, node: NodeInfo, snapshot: Snapshot): PodInfo[] | Failure {
  const lower = [...node.pods.values()].filter((p) => p.priority < pod.priority);
  if (lower.length === 0) return unresolvable(NO_VICTIMS);
  const trial = node.clone();
  for (const p of lower) trial.removePod(p);
  const state = new Map<string, unknown>();
  const filters = fw.runPreFilters(state, pod, snapshot);
  if (!Array.isArray(filters)) return filters;
  const f = fw.runFilters(state, pod, trial, filters);
  if (f) return f;
  // Reprieve the most important pods first: higher priority, then older.
  lower.sort((a, b) => b.priority - a.priority || startTime(a) - startTime(b));
  const victims: PodInfo[] = [];
  for (const p of lower) {
    trial.addPod(p);
    if (fw.runFilters(state, pod, trial, filters)) {
      trial.removePod(p);
      victims.push(p);
    }
  }
  return victims;
}

function startTime(p: PodInfo): number {
  const t = p.pod.status?.startTime ?? p.pod.metadata?.creationTimestamp;
  return t ? Date.parse(t) : 0;
}

/** better ranks two candidate victim sets as upstream's pickOneNodeForPreemption: lowest top priority, then lowest priority sum, then fewest pods. */
function better(a: PodInfo[], b: PodInfo[]): boolean {
  const top = (v: PodInfo[]) => Math.max(...v.map((p) => p.priority));
  const sum = (v: PodInfo[]) => v.reduce((s, p) => s + p.priority + 2 ** 31, 0);
  if (top(a) !== top(b)) return top(a) < top(b);
  if (sum(a) !== sum(b)) return sum(a) < sum(b);
  return a.length < b.length;
}

/** preempt looks for a node where evicting lower-priority pods lets the pod fit. */
export function preempt(fw: Framework, pod: PodInfo, snapshot: Snapshot, diagnosis: Diagnosis): PreemptionOutcome {
  const notEligible = eligible(pod, snapshot);
  if (notEligible) return { message: notEligible };
  const statuses = new Map<string, Failure>();
  let best: { nodeName: string; victims: PodInfo[] } | undefined;
  for (const [nodeName, failure] of diagnosis.nodeFailures) {
    if (failure.code !== 'Unschedulable') continue;
    const node = snapshot.get(nodeName);
    if (!node) continue;
    const r = selectVictims(fw, pod, node, snapshot);
    if (!Array.isArray(r)) {
      statuses.set(nodeName, r);
      continue;
    }
    if (!best || better(r, best.victims)) best = { nodeName, victims: r };
  }
  if (best) return best;
  // Nodes not tried (their failure was unresolvable) count as "not helpful", as upstream's absent-node status.
  const all = new Map(statuses);
  for (const n of snapshot.nodes) if (!all.has(n.name)) all.set(n.name, unresolvable(NOT_HELPFUL));
  return { message: fitErrorMessage(snapshot.nodes.length, { nodeFailures: all }) };
}
