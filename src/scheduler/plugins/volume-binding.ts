// SPDX-License-Identifier: Apache-2.0
/**
 * VolumeBinding places pods where their volumes are, as upstream's
 * volumebinding plugin (pkg/scheduler/framework/plugins/volumebinding)
 * together with the ReadWriteOncePod check of volumerestrictions:
 * - preFilter: a missing claim, a claim being deleted, or an unbound claim
 *   of an Immediate class makes the pod unschedulable on every node; a
 *   ReadWriteOncePod claim another pod already uses too.
 * - filter: a bound claim's PV must accept the node (nodeAffinity); an
 *   unbound WaitForFirstConsumer claim needs a free matching PV there or a
 *   class with a provisioner. Skiff extension: a ReadWriteOnce claim
 *   already used by a pod on one node keeps later pods on that node
 *   (upstream leaves this to attach/detach, which directories don't have).
 * - preBind: pre-binds the chosen static PVs (claimRef) or sets
 *   volume.kubernetes.io/selected-node for provisioning, then waits until
 *   every claim is bound before the pod is bound, as upstream's BindPodVolumes.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { deepClone } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import type { InformerFactory, SharedInformer } from '../../client/index.js';
import {
  ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE, claimClass, findMatchingVolume, NO_PROVISIONER, volumeNodeAffinityMatches, type PV, type PVC, type SC,
} from '../../api/index.js';
import type { NodeInfo } from '../framework/node-info.js';
import { unresolvable, unschedulable, type CycleState, type Failure, type Plugin, type Snapshot } from '../framework/plugin.js';
import type { PodInfo } from '../framework/pod-info.js';

/** Reasons are upstream's volumebinding/volumerestrictions texts, plus Skiff's ReadWriteOnce one. */
export const VolumeBindingReasons = {
  unboundImmediate: 'pod has unbound immediate PersistentVolumeClaims',
  nodeConflict: 'node(s) had volume node affinity conflict',
  bindConflict: "node(s) didn't find available persistent volumes to bind",
  pvNotExist: 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)',
  readWriteOncePodConflict: 'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode',
  readWriteOnceConflict: 'node(s) unavailable due to a ReadWriteOnce PersistentVolumeClaim in use on another node',
} as const;

/** VolumeListers reads claims, volumes and classes (the plugin's informer caches, or fixtures in tests). */
export interface VolumeListers {
  claim(namespace: string, name: string): PVC | undefined;
  volume(name: string): PV | undefined;
  volumes(): PV[];
  storageClass(name: string): SC | undefined;
}

interface PodVolumes {
  bound: { claim: PVC; pv: PV | undefined }[];
  delayed: PVC[];
  /** rwoNode is where a ReadWriteOnce claim of this pod is already in use. */
  rwoNode?: string;
}

const STATE_KEY = 'VolumeBinding';

/** claimNamesOfPod lists the claim names a pod's volumes use (ephemeral volumes' claims are `<pod>-<volume>`, as upstream). */
export function claimNamesOfPod(pod: Pod): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) out.push(`${pod.metadata?.name}-${v.name}`);
  }
  return out;
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** VolumeBinding is the plugin; `attach` gives it informers, `preBind` runs before the pod's binding. */
export class VolumeBinding implements Plugin {
  readonly name = 'VolumeBinding';
  #listers?: VolumeListers;
  #claims?: SharedInformer<PVC>;
  /** bindTimeoutMs bounds preBind's wait for claims to become bound (upstream bindTimeoutSeconds: 600). */
  bindTimeoutMs = 600_000;

  constructor(listers?: VolumeListers) {
    this.#listers = listers;
  }

  /** attach reads from the factory's informers and calls onChange when a claim, volume or class changes (pods may fit now). */
  attach(factory: InformerFactory, onChange: () => void): void {
    const claims = factory.informer<PVC>(R.persistentvolumeclaims);
    const volumes = factory.informer<PV>(R.persistentvolumes);
    const classes = factory.informer<SC>(R.storageclasses);
    const h = { onAdd: onChange, onUpdate: onChange };
    claims.addEventHandler(h);
    volumes.addEventHandler({ ...h, onDelete: onChange });
    classes.addEventHandler(h);
    this.#claims = claims;
    this.#listers = {
      claim: (ns, name) => claims.get(`${ns}/${name}`),
      volume: (name) => volumes.get(name),
      volumes: () => volumes.list(),
      storageClass: (name) => classes.get(name),
    };
  }

  preFilter(state: CycleState, pi: PodInfo, snapshot: Snapshot): Failure | 'skip' | null {
    const names = claimNamesOfPod(pi.pod);
    if (names.length === 0 || !this.#listers) return 'skip';
    const l = this.#listers;
    const pv: PodVolumes = { bound: [], delayed: [] };
    for (const name of names) {
      const claim = l.claim(pi.namespace, name);
      if (!claim) return unresolvable(`persistentvolumeclaim "${name}" not found`);
      if (claim.metadata.deletionTimestamp) return unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
      if (claim.spec?.volumeName) pv.bound.push({ claim, pv: l.volume(claim.spec.volumeName) });
      else if (l.storageClass(claimClass(claim))?.volumeBindingMode === 'WaitForFirstConsumer') pv.delayed.push(claim);
      else return unresolvable(VolumeBindingReasons.unboundImmediate);
    }
    const users = usersOfClaims(pi, names, snapshot);
    for (const { claim } of [...pv.bound, ...pv.delayed.map((claim) => ({ claim }))]) {
      const modes = claim.spec?.accessModes ?? [];
      const onNodes = users.get(claim.metadata.name!) ?? [];
      if (onNodes.length === 0) continue;
      if (modes.includes('ReadWriteOncePod')) return unschedulable(VolumeBindingReasons.readWriteOncePodConflict);
      if (modes.includes('ReadWriteOnce') && !modes.includes('ReadWriteMany') && !modes.includes('ReadOnlyMany')) pv.rwoNode = onNodes[0];
    }
    state.set(STATE_KEY, pv);
    return null;
  }

  filter(state: CycleState, _pi: PodInfo, node: NodeInfo): Failure | null {
    const pv = state.get(STATE_KEY) as PodVolumes | undefined;
    if (!pv) return null;
    if (pv.rwoNode && pv.rwoNode !== node.name) return unresolvable(VolumeBindingReasons.readWriteOnceConflict);
    for (const b of pv.bound) {
      if (!b.pv) return unresolvable(VolumeBindingReasons.pvNotExist);
      if (!volumeNodeAffinityMatches(b.pv, node.node)) return unresolvable(VolumeBindingReasons.nodeConflict);
    }
    if (pv.delayed.length && !this.#planDelayed(pv.delayed, node.node)) return unresolvable(VolumeBindingReasons.bindConflict);
    return null;
  }

  /** planDelayed decides, per delayed claim, a free static PV on the node or provisioning; undefined when some claim has neither. */
  #planDelayed(claims: readonly PVC[], node: Node): Map<PVC, PV | 'provision'> | undefined {
    const l = this.#listers!;
    const taken = new Set<string>();
    const plan = new Map<PVC, PV | 'provision'>();
    for (const claim of claims) {
      const free = l.volumes().filter((v) => !taken.has(v.metadata.name!));
      const match = findMatchingVolume(claim, free, { delayBinding: true, node });
      if (match) {
        taken.add(match.metadata.name!);
        plan.set(claim, match);
        continue;
      }
      const sc = l.storageClass(claimClass(claim));
      if (!sc || sc.provisioner === NO_PROVISIONER) return undefined;
      plan.set(claim, 'provision');
    }
    return plan;
  }

  /** preBind writes the volume decisions for a pod placed on node and waits for its claims to be bound. */
  async preBind(client: Client, pod: Pod, node: Node | undefined, nodeName: string, signal?: AbortSignal): Promise<void> {
    if (!this.#listers) return;
    const names = claimNamesOfPod(pod);
    const ns = pod.metadata?.namespace ?? '';
    const delayed = names.map((n) => this.#listers!.claim(ns, n)).filter((c): c is PVC => !!c && !c.spec?.volumeName);
    if (delayed.length === 0) return;
    const plan = this.#planDelayed(delayed, node ?? { metadata: { name: nodeName, labels: { 'kubernetes.io/hostname': nodeName } } });
    if (!plan) throw new Error(`volumes of pod ${ns}/${pod.metadata?.name} no longer fit node ${nodeName}`);
    try {
      for (const [claim, choice] of plan) {
        if (choice === 'provision') await this.#selectNode(client, claim, nodeName);
        else await this.#preBindVolume(client, choice, claim);
      }
    } catch (err) {
      // The scheduler reads a Conflict or NotFound from binding as "the pod is gone or bound"; a volume write failing means "try again".
      throw new Error(`binding volumes of pod ${ns}/${pod.metadata?.name}: ${(err as Error).message}`, { cause: err });
    }
    await this.#waitBound(ns, delayed.map((c) => c.metadata.name!), signal);
  }

  async #selectNode(client: Client, claim: PVC, nodeName: string): Promise<void> {
    if (claim.metadata.annotations?.[ANN_SELECTED_NODE] === nodeName) return;
    await client.patch(R.persistentvolumeclaims, claim.metadata.name!, 'merge', { metadata: { annotations: { [ANN_SELECTED_NODE]: nodeName } } }, { namespace: claim.metadata.namespace });
  }

  async #preBindVolume(client: Client, pv: PV, claim: PVC): Promise<void> {
    const next = deepClone(pv);
    next.spec = { ...next.spec, claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, resourceVersion: claim.metadata.resourceVersion } };
    next.metadata.annotations = { ...next.metadata.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' };
    await client.update(R.persistentvolumes, next);
  }

  async #waitBound(ns: string, names: string[], signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + this.bindTimeoutMs;
    for (;;) {
      const pending = names.filter((n) => !this.#listers!.claim(ns, n)?.metadata.annotations?.[ANN_BIND_COMPLETED]);
      if (pending.length === 0) return;
      if (signal?.aborted) throw new Error('scheduler stopping');
      if (Date.now() > deadline) throw new Error(`timed out waiting for persistentvolumeclaims ${pending.join(', ')} in ${ns} to be bound`);
      await new Promise((r) => setTimeout(r, this.#claims ? 50 : 10));
    }
  }
}

/** usersOfClaims maps each named claim to the nodes of other live pods in the namespace that use it. */
function usersOfClaims(pi: PodInfo, names: string[], snapshot: Snapshot): Map<string, string[]> {
  const wanted = new Set(names);
  const out = new Map<string, string[]>();
  for (const node of snapshot.nodes) {
    for (const other of node.pods.values()) {
      if (other.key === pi.key || other.namespace !== pi.namespace || isTerminal(other.pod)) continue;
      for (const n of claimNamesOfPod(other.pod)) if (wanted.has(n)) out.set(n, [...(out.get(n) ?? []), node.name]);
    }
  }
  return out;
}
