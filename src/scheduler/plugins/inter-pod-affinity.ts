// SPDX-License-Identifier: Apache-2.0
/**
 * InterPodAffinity (required terms): the pod's affinity terms must find a
 * matching pod in the node's topology domain, its anti-affinity terms must
 * find none, and existing pods' anti-affinity terms must not select it
 * (upstream interpodaffinity/filtering.go). Counts are built once per pod
 * in preFilter, so filter is O(labels) per node.
 */
import type { NodeInfo } from '../framework/node-info.js';
import { unresolvable, unschedulable, type CycleState, type Plugin, type Snapshot } from '../framework/plugin.js';
import type { PodInfo } from '../framework/pod-info.js';
import { termMatchesPod, topologyPair } from './affinity-term.js';

/** Reasons, as upstream's ErrReason* constants. */
export const AFFINITY_MISMATCH = "node(s) didn't match pod affinity rules";
export const ANTI_AFFINITY_MISMATCH = "node(s) didn't match pod anti-affinity rules";
export const EXISTING_ANTI_AFFINITY_MISMATCH = "node(s) didn't satisfy existing pods anti-affinity rules";

interface AffinityState {
  existingAnti: Map<string, number>;
  affinity: Map<string, number>;
  anti: Map<string, number>;
  /** affinityTermsMatchSelf: no pod matches yet, but the pod matches its own terms (the first pod of a group may go anywhere). */
  affinityTermsMatchSelf: boolean;
}

const KEY = 'InterPodAffinity';

function bump(m: Map<string, number>, node: NodeInfo, topologyKey: string): void {
  const v = node.labels[topologyKey];
  if (v === undefined) return;
  const k = topologyPair(topologyKey, v);
  m.set(k, (m.get(k) ?? 0) + 1);
}

function buildState(pod: PodInfo, snapshot: Snapshot): AffinityState {
  const s: AffinityState = { existingAnti: new Map(), affinity: new Map(), anti: new Map(), affinityTermsMatchSelf: false };
  for (const node of snapshot.havePodsWithAffinity()) {
    for (const existing of node.podsWithRequiredAntiAffinity) {
      for (const term of existing.requiredAntiAffinity) if (termMatchesPod(term, existing.namespace, pod)) bump(s.existingAnti, node, term.topologyKey);
    }
  }
  if (pod.requiredAffinity.length || pod.requiredAntiAffinity.length) {
    for (const node of snapshot.nodes) {
      for (const existing of node.pods.values()) {
        if (pod.requiredAffinity.length && pod.requiredAffinity.every((t) => termMatchesPod(t, pod.namespace, existing))) {
          for (const t of pod.requiredAffinity) bump(s.affinity, node, t.topologyKey);
        }
        for (const t of pod.requiredAntiAffinity) if (termMatchesPod(t, pod.namespace, existing)) bump(s.anti, node, t.topologyKey);
      }
    }
  }
  s.affinityTermsMatchSelf = s.affinity.size === 0 && pod.requiredAffinity.every((t) => termMatchesPod(t, pod.namespace, pod));
  return s;
}

function satisfiesAffinity(pod: PodInfo, s: AffinityState, node: NodeInfo): boolean {
  for (const t of pod.requiredAffinity) {
    const v = node.labels[t.topologyKey];
    if (v === undefined) return false;
    if (!s.affinity.get(topologyPair(t.topologyKey, v)) && !s.affinityTermsMatchSelf) return false;
  }
  return true;
}

/** interPodAffinity is the InterPodAffinity filter plugin (required terms). */
export const interPodAffinity: Plugin = {
  name: KEY,
  preFilter(state: CycleState, pod, snapshot) {
    if (!pod.requiredAffinity.length && !pod.requiredAntiAffinity.length && snapshot.havePodsWithAffinity().length === 0) return 'skip';
    state.set(KEY, buildState(pod, snapshot));
    return null;
  },
  filter(state, pod, node) {
    const s = state.get(KEY) as AffinityState;
    if (s.existingAnti.size) {
      for (const [k, v] of Object.entries(node.labels)) if (s.existingAnti.get(topologyPair(k, v))) return unschedulable(EXISTING_ANTI_AFFINITY_MISMATCH);
    }
    for (const t of pod.requiredAntiAffinity) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && s.anti.get(topologyPair(t.topologyKey, v))) return unschedulable(ANTI_AFFINITY_MISMATCH);
    }
    if (!satisfiesAffinity(pod, s, node)) return unresolvable(AFFINITY_MISMATCH);
    return null;
  },
};
