// SPDX-License-Identifier: Apache-2.0
/**
 * Daemon pods and where they belong, after upstream pkg/controller/daemon
 * (util/daemonset_util.go and NodeShouldRunDaemonPod): the pod for a node
 * is the template plus the tolerations every daemon pod gets, pinned to the
 * node by a required node affinity on `metadata.name` (the scheduler binds
 * it); a node should run the pod when its name, selector, affinity and
 * taints allow, and an existing pod may keep running unless a NoExecute
 * taint it does not tolerate appears.
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, Toleration } from 'kubernetes-types/core/v1.js';
import { deepClone, type KubeObject } from '../../api/index.js';
import { findUntoleratedTaint, podMatchesNodeSelectorAndAffinity } from '../../api/index.js';
import { CONTROLLER_REVISION_HASH_LABEL } from '../controller-revision.js';
import { newControllerRef } from '../controller-ref.js';

/** DaemonSetObj is an apps/v1 DaemonSet as the cache holds it. */
export type DaemonSetObj = Omit<DaemonSet, 'metadata'> & KubeObject;
/** PodObj is a Pod as the cache holds it. */
export type PodObj = Pod & KubeObject;
/** NodeObj is a Node as the cache holds it. */
export type NodeObj = Node & KubeObject;

/** TEMPLATE_GENERATION_LABEL is the deprecated label upstream still puts on daemon pods. */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

const NO_SCHEDULE = 'NoSchedule';
const NO_EXECUTE = 'NoExecute';

/**
 * daemonTolerations adds the tolerations upstream's AddOrUpdateDaemonPodTolerations
 * gives every daemon pod: NoExecute not-ready/unreachable without a time
 * limit, NoSchedule for pressure conditions and unschedulable nodes, and
 * network-unavailable for host-network pods.
 */
export function daemonTolerations(existing: readonly Toleration[] | undefined, hostNetwork: boolean): Toleration[] {
  const out = [...(existing ?? [])];
  const add = (key: string, effect: string): void => {
    const t: Toleration = { key, operator: 'Exists', effect };
    // Upstream replaces a toleration of the same key and effect.
    const i = out.findIndex((x) => x.key === key && x.effect === effect);
    if (i >= 0) out[i] = t;
    else out.push(t);
  };
  add('node.kubernetes.io/not-ready', NO_EXECUTE);
  add('node.kubernetes.io/unreachable', NO_EXECUTE);
  add('node.kubernetes.io/disk-pressure', NO_SCHEDULE);
  add('node.kubernetes.io/memory-pressure', NO_SCHEDULE);
  add('node.kubernetes.io/pid-pressure', NO_SCHEDULE);
  add('node.kubernetes.io/unschedulable', NO_SCHEDULE);
  if (hostNetwork) add('node.kubernetes.io/network-unavailable', NO_SCHEDULE);
  return out;
}

/** templatePod is the daemon pod without a node: the template with the daemon tolerations (upstream NewPod). */
function templatePod(ds: DaemonSetObj): PodObj {
  const tpl = ds.spec?.template;
  const spec = deepClone(tpl?.spec ?? { containers: [] });
  spec.tolerations = daemonTolerations(spec.tolerations, spec.hostNetwork === true);
  return { apiVersion: 'v1', kind: 'Pod', metadata: { labels: { ...(tpl?.metadata?.labels ?? {}) } }, spec };
}

/** newDaemonPod builds the pod a DaemonSet runs on one node, labelled with the revision hash. */
export function newDaemonPod(ds: DaemonSetObj, nodeName: string, hash: string): PodObj {
  const pod = templatePod(ds);
  const tpl = ds.spec?.template;
  pod.metadata = {
    generateName: `${ds.metadata.name}-`,
    namespace: ds.metadata.namespace,
    labels: { ...(tpl?.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash, [TEMPLATE_GENERATION_LABEL]: String(ds.metadata.generation ?? 1) },
    ownerReferences: [newControllerRef(ds, 'apps/v1', 'DaemonSet')],
  };
  if (tpl?.metadata?.annotations) pod.metadata.annotations = { ...tpl.metadata.annotations };
  if (tpl?.metadata?.finalizers) pod.metadata.finalizers = [...tpl.metadata.finalizers];
  // The node has been checked already: one term naming it replaces any other required terms (upstream ReplaceDaemonSetPodNodeNameNodeAffinity).
  const affinity = pod.spec!.affinity ?? {};
  pod.spec!.affinity = {
    ...affinity,
    nodeAffinity: {
      ...(affinity.nodeAffinity ?? {}),
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] },
    },
  };
  return pod;
}

/** targetNodeOf is the node a daemon pod runs on or is pinned to (upstream GetTargetNodeName). */
export function targetNodeOf(pod: PodObj): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

/** Placement says whether a node should get a daemon pod, and whether one already there may stay. */
export interface Placement {
  shouldRun: boolean;
  shouldContinueRunning: boolean;
}

/** nodeShouldRunDaemonPod decides a node's placement (upstream NodeShouldRunDaemonPod). */
export function nodeShouldRunDaemonPod(node: NodeObj, ds: DaemonSetObj): Placement {
  const pod = templatePod(ds);
  const name = node.metadata.name!;
  if (pod.spec?.nodeName && pod.spec.nodeName !== name) return { shouldRun: false, shouldContinueRunning: false };
  if (!podMatchesNodeSelectorAndAffinity(pod, node)) return { shouldRun: false, shouldContinueRunning: false };
  const taints = node.spec?.taints ?? [];
  if (!findUntoleratedTaint(taints, pod.spec?.tolerations, [NO_SCHEDULE, NO_EXECUTE])) return { shouldRun: true, shouldContinueRunning: true };
  // A scheduled daemon pod keeps running while it tolerates every NoExecute taint.
  return { shouldRun: false, shouldContinueRunning: !findUntoleratedTaint(taints, pod.spec?.tolerations, [NO_EXECUTE]) };
}

/** isUpdated reports whether a pod runs the DaemonSet's current revision. */
export function isUpdated(pod: PodObj, hash: string): boolean {
  return pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash;
}
