// SPDX-License-Identifier: Apache-2.0
/**
 * Container and sandbox garbage collection, as upstream kuberuntime_gc.go:
 * dead containers older than MinAge are grouped per (pod, container name);
 * each group keeps MaxPerPodContainer dead instances (default 1, for
 * `logs --previous`), all of a deleted pod's go, and past MaxContainers the
 * oldest go node-wide. Dead sandboxes without containers go, the newest of
 * a live pod aside. Orphans — sandboxes and containers whose pod uid label
 * names no pod the API knows, found from CRI labels alone so a lost or
 * replaced datastore is swept too — are stopped and removed with their
 * netns, IP, volumes, cgroups and logs (upstream HandlePodCleanups).
 */
import type { RuntimeService } from './cri/runtime-service.js';
import type { ContainerStatus } from './cri/cri-types.js';
import { CONTAINER_NAME_LABEL, POD_UID_LABEL } from './cri-labels.js';
import type { PodRuntimeState } from './runtime-state.js';

/** ContainerGCPolicy is upstream's ContainerGCPolicy (kubelet flags --minimum-container-ttl-duration etc.). */
export interface ContainerGCPolicy {
  minAgeMs: number;
  /** maxPerPodContainer dead instances kept per container; -1 keeps all. */
  maxPerPodContainer: number;
  /** maxContainers dead containers kept node-wide; -1 means no limit. */
  maxContainers: number;
}

/** DEFAULT_CONTAINER_GC_POLICY is upstream's default: MinAge 0, MaxPerPodContainer 1, MaxContainers -1. */
export const DEFAULT_CONTAINER_GC_POLICY: ContainerGCPolicy = { minAgeMs: 0, maxPerPodContainer: 1, maxContainers: -1 };

/** removeOldInstances removes dead instances beyond the newest two of each container name (the running one and one dead). */
export async function removeOldInstances(runtime: RuntimeService, state: PodRuntimeState): Promise<void> {
  const byName = new Map<string, ContainerStatus[]>();
  for (const c of state.containers) {
    const name = c.labels?.[CONTAINER_NAME_LABEL] ?? c.metadata?.name ?? '';
    byName.set(name, [...(byName.get(name) ?? []), c]);
  }
  for (const list of byName.values()) {
    for (const old of list.slice(2)) {
      if (old.state !== 'CONTAINER_RUNNING') await runtime.removeContainer({ container_id: old.id }).catch(() => undefined);
    }
  }
}

/** ContainerGCOptions connect the collector to the kubelet's view of pods. */
export interface ContainerGCOptions {
  runtime: RuntimeService;
  policy?: ContainerGCPolicy;
  /** knownPods are the uids of pods the API has bound here (the informer cache) or a worker still handles. */
  knownPods(): Set<string>;
  /** removeOrphan stops and removes everything of a pod no longer known (containers, sandboxes, volumes, cgroups, logs). */
  removeOrphan(uid: string): Promise<void>;
  log(msg: string): void;
  now?: () => number;
}

interface DeadContainer {
  id: string;
  uid: string;
  name: string;
  createdNs: bigint;
}

/** ContainerGC collects dead containers, dead sandboxes and orphans. */
export class ContainerGC {
  readonly #o: ContainerGCOptions;

  constructor(opts: ContainerGCOptions) {
    this.#o = opts;
  }

  /** removeOrphans removes every pod in the runtime whose uid the kubelet does not know; answers the uids removed. */
  async removeOrphans(): Promise<string[]> {
    const known = this.#o.knownPods();
    const [{ items }, { containers }] = await Promise.all([this.#o.runtime.listPodSandbox(), this.#o.runtime.listContainers()]);
    const uids = new Set<string>();
    for (const x of [...items, ...containers]) {
      const uid = x.labels?.[POD_UID_LABEL];
      if (uid && !known.has(uid)) uids.add(uid);
    }
    for (const uid of uids) {
      this.#o.log(`kubelet: removing orphaned pod ${uid}: no pod with this uid is bound to the node`);
      await this.#o.removeOrphan(uid).catch((err) => this.#o.log(`kubelet: removing orphan ${uid}: ${(err as Error).message}`));
    }
    return [...uids];
  }

  /**
   * collect removes dead containers and sandboxes per the policy. With
   * allDead (upstream DeleteAllUnusedContainers, used under disk pressure)
   * every dead container goes, whatever the policy keeps.
   */
  async collect(allDead = false): Promise<number> {
    const policy = this.#o.policy ?? DEFAULT_CONTAINER_GC_POLICY;
    const nowNs = BigInt((this.#o.now ?? Date.now)()) * 1_000_000n;
    const { containers } = await this.#o.runtime.listContainers();
    const dead: DeadContainer[] = containers
      .filter((c) => c.state !== 'CONTAINER_RUNNING' && c.state !== 'CONTAINER_UNKNOWN' && c.labels?.[POD_UID_LABEL])
      .filter((c) => nowNs - BigInt(c.created_at) >= BigInt(policy.minAgeMs) * 1_000_000n)
      .map((c) => ({ id: c.id, uid: c.labels[POD_UID_LABEL], name: c.labels[CONTAINER_NAME_LABEL] ?? c.metadata?.name ?? '', createdNs: BigInt(c.created_at) }));
    const units = new Map<string, DeadContainer[]>();
    for (const c of dead) units.set(`${c.uid}/${c.name}`, [...(units.get(`${c.uid}/${c.name}`) ?? []), c]);
    for (const list of units.values()) list.sort((a, b) => (b.createdNs > a.createdNs ? 1 : b.createdNs < a.createdNs ? -1 : 0));
    const remove: DeadContainer[] = [];
    for (const [key, list] of units) {
      const keep = allDead ? 0 : policy.maxPerPodContainer < 0 ? list.length : policy.maxPerPodContainer;
      remove.push(...list.slice(keep));
      units.set(key, list.slice(0, keep));
    }
    if (!allDead && policy.maxContainers >= 0) {
      // Upstream: shrink every unit to an equal share first, then remove the oldest node-wide.
      let left = [...units.values()].flat();
      if (left.length > policy.maxContainers && units.size > 0) {
        const share = Math.max(1, Math.floor(policy.maxContainers / units.size));
        for (const list of units.values()) remove.push(...list.slice(share));
        left = [...units.values()].flatMap((l) => l.slice(0, share));
      }
      left.sort((a, b) => (a.createdNs < b.createdNs ? -1 : a.createdNs > b.createdNs ? 1 : 0));
      if (left.length > policy.maxContainers) remove.push(...left.slice(0, left.length - policy.maxContainers));
    }
    for (const c of remove) await this.#o.runtime.removeContainer({ container_id: c.id }).catch((err) => this.#o.log(`kubelet: container GC ${c.id}: ${(err as Error).message}`));
    await this.#collectSandboxes();
    return remove.length;
  }

  // Dead sandboxes with no containers go; a known pod keeps its newest sandbox (upstream evictSandboxes).
  async #collectSandboxes(): Promise<void> {
    const [{ items }, { containers }] = await Promise.all([this.#o.runtime.listPodSandbox(), this.#o.runtime.listContainers()]);
    const withContainers = new Set(containers.map((c) => c.pod_sandbox_id));
    const known = this.#o.knownPods();
    const byUid = new Map<string, typeof items>();
    for (const s of items) {
      const uid = s.labels?.[POD_UID_LABEL] ?? '';
      byUid.set(uid, [...(byUid.get(uid) ?? []), s]);
    }
    for (const [uid, list] of byUid) {
      const sorted = [...list].sort((a, b) => (BigInt(b.created_at) > BigInt(a.created_at) ? 1 : -1));
      const candidates = known.has(uid) ? sorted.slice(1) : sorted;
      for (const s of candidates) {
        if (s.state === 'SANDBOX_READY' || withContainers.has(s.id)) continue;
        await this.#o.runtime.removePodSandbox({ pod_sandbox_id: s.id }).catch((err) => this.#o.log(`kubelet: sandbox GC ${s.id}: ${(err as Error).message}`));
      }
    }
  }
}
