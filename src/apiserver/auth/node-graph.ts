// SPDX-License-Identifier: Apache-2.0
/**
 * What a node's pods reference, for the Node authorizer (upstream
 * plugin/pkg/auth/authorizer/node/graph.go keeps the same relationships as
 * a graph: pod → node, secret/configmap/pvc/serviceaccount → pod,
 * pv → pvc, volumeattachment → node). Here the edges are read straight
 * from the pods bound to the node (an informer index by spec.nodeName), the
 * claims they use and the attachments naming the node, which answers the
 * same question: is there a path from this object to the node?
 */
import type { Pod, PodSpec, PersistentVolumeClaim, Volume } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/index.js';

/** ObjectKind is what the graph relates to a node. */
export type GraphKind = 'secret' | 'configmap' | 'persistentvolumeclaim' | 'persistentvolume' | 'serviceaccount' | 'pod' | 'volumeattachment';

/** NodeGraphSource is where the graph reads pods by node, claims and volume attachments by name (informer caches in the server, arrays in tests). */
export interface NodeGraphSource {
  podsOnNode(nodeName: string): readonly KubeObject[];
  claim(namespace: string, name: string): KubeObject | undefined;
  /** volumeAttachment reads one VolumeAttachment; a source without them relates none to any node. */
  volumeAttachment?(name: string): KubeObject | undefined;
}

function podSpecOf(pod: KubeObject): PodSpec {
  return ((pod as unknown as Pod).spec ?? {}) as PodSpec;
}

/** claimNames lists the PVCs a pod uses (generic ephemeral volumes are claims named `<pod>-<volume>`). */
function claimNames(pod: KubeObject, volumes: Volume[]): string[] {
  const out: string[] = [];
  for (const v of volumes) {
    if (v.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    if (v.ephemeral) out.push(`${pod.metadata.name}-${v.name}`);
  }
  return out;
}

/** references collects the names of one kind a pod refers to, as upstream's podutil.VisitPod{Secret,ConfigMap}Names. */
export function podReferences(pod: KubeObject, kind: 'secret' | 'configmap' | 'persistentvolumeclaim' | 'serviceaccount'): Set<string> {
  const spec = podSpecOf(pod);
  const out = new Set<string>();
  const volumes = spec.volumes ?? [];
  if (kind === 'serviceaccount') {
    out.add(spec.serviceAccountName || 'default');
    return out;
  }
  if (kind === 'persistentvolumeclaim') {
    for (const n of claimNames(pod, volumes)) out.add(n);
    return out;
  }
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...((spec.ephemeralContainers ?? []) as PodSpec['containers'])];
  if (kind === 'secret') {
    for (const s of spec.imagePullSecrets ?? []) if (s.name) out.add(s.name);
    for (const v of volumes) {
      if (v.secret?.secretName) out.add(v.secret.secretName);
      for (const p of v.projected?.sources ?? []) if (p.secret?.name) out.add(p.secret.name);
      for (const ref of [v.csi?.nodePublishSecretRef, v.cephfs?.secretRef, v.rbd?.secretRef, v.iscsi?.secretRef, v.flexVolume?.secretRef, v.storageos?.secretRef, v.scaleIO?.secretRef]) {
        if (ref?.name) out.add(ref.name);
      }
      if (v.azureFile?.secretName) out.add(v.azureFile.secretName);
    }
    for (const c of containers) {
      for (const e of c.envFrom ?? []) if (e.secretRef?.name) out.add(e.secretRef.name);
      for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef?.name) out.add(e.valueFrom.secretKeyRef.name);
    }
  } else {
    for (const v of volumes) {
      if (v.configMap?.name) out.add(v.configMap.name);
      for (const p of v.projected?.sources ?? []) if (p.configMap?.name) out.add(p.configMap.name);
    }
    for (const c of containers) {
      for (const e of c.envFrom ?? []) if (e.configMapRef?.name) out.add(e.configMapRef.name);
      for (const e of c.env ?? []) if (e.valueFrom?.configMapKeyRef?.name) out.add(e.valueFrom.configMapKeyRef.name);
    }
  }
  return out;
}

/** NodeGraph answers whether an object is related to a node through the pods bound to it. */
export class NodeGraph {
  readonly #src: NodeGraphSource;

  constructor(src: NodeGraphSource) {
    this.#src = src;
  }

  /** hasPath is true when the object (namespace '' for cluster-scoped PVs) is reachable from one of the node's pods. */
  hasPath(nodeName: string, kind: GraphKind, namespace: string, name: string): boolean {
    if (kind === 'volumeattachment') {
      // Upstream's graph has an edge volumeattachment → node from spec.nodeName (AddVolumeAttachment).
      const va = this.#src.volumeAttachment?.(name);
      return !!va && (va.spec as { nodeName?: string } | undefined)?.nodeName === nodeName;
    }
    const pods = this.#src.podsOnNode(nodeName);
    if (kind === 'pod') return pods.some((p) => p.metadata.namespace === namespace && p.metadata.name === name);
    if (kind === 'persistentvolume') {
      // pv → pvc → pod: a bound claim of one of the node's pods names this volume.
      for (const pod of pods) {
        for (const claimName of podReferences(pod, 'persistentvolumeclaim')) {
          const claim = this.#src.claim(pod.metadata.namespace ?? '', claimName) as (KubeObject & PersistentVolumeClaim) | undefined;
          if (claim?.spec?.volumeName === name) return true;
        }
      }
      return false;
    }
    return pods.some((p) => p.metadata.namespace === namespace && podReferences(p, kind).has(name));
  }
}
