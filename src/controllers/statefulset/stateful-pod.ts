// SPDX-License-Identifier: Apache-2.0
/**
 * The stable identity of StatefulSet pods, after upstream
 * pkg/controller/statefulset/stateful_set_utils.go: pod `<set>-<ordinal>`,
 * the `statefulset.kubernetes.io/pod-name` and `apps.kubernetes.io/pod-index`
 * labels, hostname = pod name and subdomain = serviceName, and one claim
 * `<template>-<set>-<ordinal>` per volumeClaimTemplate mounted in place of
 * the template volume of the same name.
 */
import type { PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import { deepClone, type KubeObject, type OwnerReference } from '../../api/index.js';
import { CONTROLLER_REVISION_HASH_LABEL } from '../controller-revision.js';
import { newControllerRef } from '../controller-ref.js';

/** StatefulSetObj is an apps/v1 StatefulSet as the cache holds it. */
export type StatefulSetObj = Omit<StatefulSet, 'metadata'> & KubeObject;
/** PodObj is a Pod as the cache holds it. */
export type PodObj = Pod & KubeObject;
/** ClaimObj is a PersistentVolumeClaim as the cache holds it. */
export type ClaimObj = PersistentVolumeClaim & KubeObject;

/** POD_NAME_LABEL and POD_INDEX_LABEL are the identity labels upstream sets. */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

const ORDINAL_RE = /^(.*)-([0-9]+)$/;

/** parentAndOrdinal splits `<parent>-<ordinal>`; ordinal is -1 when the name has no ordinal. */
export function parentAndOrdinal(name: string | undefined): { parent: string; ordinal: number } {
  const m = ORDINAL_RE.exec(name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  return Number.isSafeInteger(n) ? { parent: m[1], ordinal: n } : { parent: '', ordinal: -1 };
}

/** ordinalOf is the pod's ordinal, -1 when it has none. */
export function ordinalOf(pod: KubeObject): number {
  return parentAndOrdinal(pod.metadata.name).ordinal;
}

/** isMemberOf reports whether the pod's name says it belongs to the set. */
export function isMemberOf(set: StatefulSetObj, pod: KubeObject): boolean {
  return parentAndOrdinal(pod.metadata.name).parent === set.metadata.name;
}

/** startOrdinal is spec.ordinals.start (0 by default). */
export function startOrdinal(set: StatefulSetObj): number {
  return set.spec?.ordinals?.start ?? 0;
}

/** replicasOf is spec.replicas with the API default of 1. */
export function replicasOf(set: StatefulSetObj): number {
  return set.spec?.replicas ?? 1;
}

/** inOrdinalRange reports whether an ordinal belongs to the set's desired replicas. */
export function inOrdinalRange(set: StatefulSetObj, ordinal: number): boolean {
  const start = startOrdinal(set);
  return ordinal >= start && ordinal < start + replicasOf(set);
}

/** podName is `<set>-<ordinal>`. */
export function podName(set: StatefulSetObj, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

/** claimName is `<template>-<set>-<ordinal>`. */
export function claimName(set: StatefulSetObj, templateName: string, ordinal: number): string {
  return `${templateName}-${podName(set, ordinal)}`;
}

/** identityMatches reports whether a pod carries the identity its ordinal implies. */
export function identityMatches(set: StatefulSetObj, pod: PodObj): boolean {
  const ord = ordinalOf(pod);
  return (
    ord >= 0 &&
    isMemberOf(set, pod) &&
    pod.metadata.namespace === set.metadata.namespace &&
    pod.metadata.labels?.[POD_NAME_LABEL] === pod.metadata.name &&
    pod.metadata.labels?.[POD_INDEX_LABEL] === String(ord)
  );
}

/** storageMatches reports whether every claim template is mounted from the pod's own claim. */
export function storageMatches(set: StatefulSetObj, pod: PodObj): boolean {
  const ord = ordinalOf(pod);
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const name = t.metadata?.name ?? '';
    if (volumes.get(name)?.persistentVolumeClaim?.claimName !== claimName(set, name, ord)) return false;
  }
  return true;
}

/** updateIdentity sets the identity labels on a pod copy (upstream updateIdentity). */
export function updateIdentity(set: StatefulSetObj, pod: PodObj): void {
  const ord = ordinalOf(pod);
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [POD_NAME_LABEL]: pod.metadata.name!, [POD_INDEX_LABEL]: String(ord) };
}

/** updateStorage points the claim templates' volumes at the pod's claims, keeping other volumes. */
export function updateStorage(set: StatefulSetObj, pod: PodObj): void {
  const ord = ordinalOf(pod);
  const templates = set.spec?.volumeClaimTemplates ?? [];
  if (templates.length === 0) return;
  const claimed = new Set(templates.map((t) => t.metadata?.name ?? ''));
  const volumes: Volume[] = (pod.spec?.volumes ?? []).filter((v) => !claimed.has(v.name));
  for (const name of claimed) volumes.push({ name, persistentVolumeClaim: { claimName: claimName(set, name, ord) } });
  pod.spec = { ...(pod.spec ?? { containers: [] }), volumes };
}

/** newStatefulSetPod builds the pod of one ordinal from a set's template at a revision (upstream newVersionedStatefulSetPod). */
export function newStatefulSetPod(set: StatefulSetObj, ordinal: number, revisionName: string): PodObj {
  const tpl = set.spec?.template ?? { spec: { containers: [] } };
  const name = podName(set, ordinal);
  const pod: PodObj = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata.namespace,
      labels: { ...(tpl.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: revisionName },
      ownerReferences: [newControllerRef(set, 'apps/v1', 'StatefulSet')],
    },
    spec: deepClone(tpl.spec ?? { containers: [] }),
  };
  if (tpl.metadata?.annotations) pod.metadata.annotations = { ...tpl.metadata.annotations };
  if (tpl.metadata?.finalizers) pod.metadata.finalizers = [...tpl.metadata.finalizers];
  updateIdentity(set, pod);
  // Hostname and subdomain are set only at creation: they are immutable on a pod (upstream initIdentity).
  pod.spec!.hostname = name;
  if (set.spec?.serviceName) pod.spec!.subdomain = set.spec.serviceName;
  updateStorage(set, pod);
  return pod;
}

/** newClaims builds the claims of one ordinal (labels: the template's plus the set's matchLabels, as upstream getPersistentVolumeClaims). */
export function newClaims(set: StatefulSetObj, ordinal: number): ClaimObj[] {
  return (set.spec?.volumeClaimTemplates ?? []).map((t) => {
    const name = t.metadata?.name ?? '';
    const claim: ClaimObj = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: claimName(set, name, ordinal),
        namespace: set.metadata.namespace,
        labels: { ...(t.metadata?.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) },
      },
      spec: deepClone(t.spec ?? {}),
    };
    if (t.metadata?.annotations) claim.metadata.annotations = { ...t.metadata.annotations };
    return claim;
  });
}

/**
 * claimOwnerRefs are the owner references a claim should carry under the
 * set's persistentVolumeClaimRetentionPolicy (upstream
 * updateClaimOwnerRefForSetAndPod): whenDeleted=Delete makes the set the
 * owner; whenScaled=Delete makes a condemned pod the owner, so the garbage
 * collector removes the claim with it. References to others are kept.
 */
export function claimOwnerRefs(set: StatefulSetObj, claim: ClaimObj, pod: PodObj | undefined): OwnerReference[] {
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  const others = (claim.metadata.ownerReferences ?? []).filter((r) => r.uid !== set.metadata.uid && (!pod || r.uid !== pod.metadata.uid));
  const scaledDown = pod !== undefined && !inOrdinalRange(set, ordinalOf(pod));
  const refs = [...others];
  if (policy.whenScaled === 'Delete' && scaledDown && pod?.metadata.uid) refs.push(newControllerRef(pod, 'v1', 'Pod'));
  else if (policy.whenDeleted === 'Delete') refs.push(newControllerRef(set, 'apps/v1', 'StatefulSet'));
  return refs;
}
