// SPDX-License-Identifier: Apache-2.0
/**
 * SchedulerCache is the scheduler's view of the cluster: a NodeInfo per
 * node holding the pods bound (or assumed) to it. It is also the Snapshot a
 * cycle reads: a cycle is synchronous, so nothing changes under it.
 * Assumed pods are counted as soon as the scheduler picks a node, before
 * the binding is written, so the next pod already sees the reservation
 * (upstream internal/cache assume/forget).
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { NodeInfo } from './framework/node-info.js';
import type { Snapshot } from './framework/plugin.js';
import { newPodInfo, type PodInfo } from './framework/pod-info.js';

interface PodState {
  info: PodInfo;
  nodeName: string;
  assumed: boolean;
}

/** SchedulerCache tracks nodes and the pods assigned to them. */
export class SchedulerCache implements Snapshot {
  readonly #nodes = new Map<string, NodeInfo>();
  #nodeList: NodeInfo[] = [];
  readonly #pods = new Map<string, PodState>();
  /** orphans are pods bound to a node the cache has not seen yet, by node name. */
  readonly #orphans = new Map<string, Map<string, PodInfo>>();
  readonly #withAffinity = new Set<NodeInfo>();

  get nodes(): readonly NodeInfo[] {
    return this.#nodeList;
  }

  get(name: string): NodeInfo | undefined {
    return this.#nodes.get(name);
  }

  havePodsWithAffinity(): NodeInfo[] {
    return [...this.#withAffinity];
  }

  /** podCount is the number of pods the cache counts (bound and assumed). */
  get podCount(): number {
    return this.#pods.size;
  }

  /** isAssumed reports whether a pod is counted only because the scheduler assumed it. */
  isAssumed(key: string): boolean {
    return this.#pods.get(key)?.assumed ?? false;
  }

  /** upsertNode adds or refreshes a node. */
  upsertNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const cur = this.#nodes.get(name);
    if (cur) {
      cur.setNode(node);
      return;
    }
    const ni = new NodeInfo(node);
    this.#nodes.set(name, ni);
    this.#nodeList.push(ni);
    for (const pi of this.#orphans.get(name)?.values() ?? []) this.#addToNode(ni, pi);
    this.#orphans.delete(name);
  }

  /** removeNode forgets a node; its pods stay known and return if the node comes back. */
  removeNode(name: string): void {
    const ni = this.#nodes.get(name);
    if (!ni) return;
    this.#nodes.delete(name);
    this.#nodeList = this.#nodeList.filter((n) => n !== ni);
    this.#withAffinity.delete(ni);
    if (ni.pods.size) this.#orphans.set(name, new Map(ni.pods));
  }

  /** assume counts a pod on a node before its binding is confirmed. */
  assume(info: PodInfo, nodeName: string): void {
    this.#place({ info, nodeName, assumed: true });
  }

  /** forget undoes assume after a failed binding. */
  forget(key: string): void {
    const st = this.#pods.get(key);
    if (st?.assumed) this.#unplace(key);
  }

  /**
   * upsertBoundPod records a pod the API says is bound (confirming an
   * assumption). Terminal pods no longer hold resources, as the kubelet
   * releases them, so they are dropped.
   */
  upsertBoundPod(pod: Pod): void {
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      this.#unplace(key);
      return;
    }
    const cur = this.#pods.get(key);
    if (cur && !cur.assumed && cur.info.pod === pod) return;
    // Status-only updates keep the derived data (requests cannot change on a bound pod).
    const info = cur && cur.nodeName === pod.spec?.nodeName ? { ...cur.info, pod, labels: (pod.metadata?.labels ?? {}) as Record<string, string> } : newPodInfo(pod);
    this.#place({ info, nodeName: pod.spec?.nodeName ?? '', assumed: false });
  }

  /** removePod forgets a pod (deleted or terminal). */
  removePod(key: string): void {
    this.#unplace(key);
  }

  #place(st: PodState): void {
    this.#unplace(st.info.key);
    this.#pods.set(st.info.key, st);
    const ni = this.#nodes.get(st.nodeName);
    if (ni) {
      this.#addToNode(ni, st.info);
      return;
    }
    let m = this.#orphans.get(st.nodeName);
    if (!m) this.#orphans.set(st.nodeName, (m = new Map()));
    m.set(st.info.key, st.info);
  }

  #unplace(key: string): void {
    const st = this.#pods.get(key);
    if (!st) return;
    this.#pods.delete(key);
    const ni = this.#nodes.get(st.nodeName);
    if (ni) {
      ni.removePod(st.info);
      if (ni.podsWithAffinity === 0) this.#withAffinity.delete(ni);
    } else {
      this.#orphans.get(st.nodeName)?.delete(key);
    }
  }

  #addToNode(ni: NodeInfo, pi: PodInfo): void {
    ni.addPod(pi);
    if (ni.podsWithAffinity > 0) this.#withAffinity.add(ni);
  }
}
