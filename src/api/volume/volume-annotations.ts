// SPDX-License-Identifier: Apache-2.0
/**
 * The annotations, finalizers and event reasons of persistent storage, as
 * upstream spells them (pkg/controller/volume/persistentvolume/util and
 * pkg/controller/volume/events). Other components (the scheduler's
 * VolumeBinding plugin, the provisioner, the kubelet) read these names, so
 * they live in one place. Names are upstream's; never invent variants.
 */
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { KubeObject } from '../object.js';

/** PV is a PersistentVolume as the Client returns it. */
export type PV = KubeObject & PersistentVolume;
/** PVC is a PersistentVolumeClaim as the Client returns it. */
export type PVC = KubeObject & PersistentVolumeClaim;
/** SC is a StorageClass as the Client returns it. */
export type SC = KubeObject & StorageClass;

/** ANN_BIND_COMPLETED on a claim says the controller finished binding it (upstream AnnBindCompleted). */
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
/** ANN_BOUND_BY_CONTROLLER says the controller (not the user) set claimRef/volumeName (AnnBoundByController). */
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
/** ANN_PROVISIONED_BY on a volume names the provisioner that created it (AnnDynamicallyProvisioned). */
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
/** ANN_STORAGE_PROVISIONER on a claim names the provisioner asked to provision it (AnnStorageProvisioner). */
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
/** ANN_BETA_STORAGE_PROVISIONER is the beta spelling upstream still writes alongside. */
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
/** ANN_SELECTED_NODE on a claim is the node the scheduler picked for a WaitForFirstConsumer claim. */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** ANN_BETA_STORAGE_CLASS is the deprecated annotation that still overrides storageClassName. */
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
/** ANN_DEFAULT_STORAGE_CLASS marks the default StorageClass. */
export const ANN_DEFAULT_STORAGE_CLASS = 'storageclass.kubernetes.io/is-default-class';

/** PVC_PROTECTION_FINALIZER keeps a claim while a pod uses it. */
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
/** PV_PROTECTION_FINALIZER keeps a volume while it is bound. */
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

/** LOCAL_PATH_PROVISIONER is the provisioner name of Skiff's local-path StorageClass. */
export const LOCAL_PATH_PROVISIONER = 'skiff.dev/local-path';
/** NO_PROVISIONER is upstream's marker for classes of statically created local volumes. */
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

/** VolumeEvents are the event reasons of the volume controllers (upstream pkg/controller/volume/events). */
export const VolumeEvents = {
  FailedBinding: 'FailedBinding',
  VolumeMismatch: 'VolumeMismatch',
  WaitForFirstConsumer: 'WaitForFirstConsumer',
  ExternalProvisioning: 'ExternalProvisioning',
  Provisioning: 'Provisioning',
  ProvisioningFailed: 'ProvisioningFailed',
  ProvisioningSucceeded: 'ProvisioningSucceeded',
  ClaimLost: 'ClaimLost',
  ClaimMisbound: 'ClaimMisbound',
  VolumeFailedDelete: 'VolumeFailedDelete',
  VolumeFailedRecycle: 'VolumeFailedRecycle',
  Resizing: 'Resizing',
  VolumeResizeSuccessful: 'VolumeResizeSuccessful',
  VolumeResizeFailed: 'VolumeResizeFailed',
} as const;

/** claimClass is a claim's class: the beta annotation wins over spec.storageClassName, as upstream's GetPersistentVolumeClaimClass. */
export function claimClass(claim: PersistentVolumeClaim): string {
  return claim.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] ?? claim.spec?.storageClassName ?? '';
}

/** volumeClass is a volume's class, with the same beta-annotation rule (GetPersistentVolumeClass). */
export function volumeClass(pv: PersistentVolume): string {
  return pv.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] ?? pv.spec?.storageClassName ?? '';
}

/** claimKey is namespace/name of a claim. */
export function claimKey(claim: PersistentVolumeClaim): string {
  return `${claim.metadata?.namespace ?? ''}/${claim.metadata?.name ?? ''}`;
}

/** claimRefKey is namespace/name of the claim a volume points to, or '' when unbound. */
export function claimRefKey(pv: PersistentVolume): string {
  const ref = pv.spec?.claimRef;
  return ref?.name ? `${ref.namespace ?? ''}/${ref.name}` : '';
}

/** isBindCompleted says the controller has finished binding a claim. */
export function isBindCompleted(claim: PersistentVolumeClaim): boolean {
  return claim.metadata?.annotations?.[ANN_BIND_COMPLETED] !== undefined;
}

/** isDelayedBinding says the claim's class waits for the first consumer (volumeBindingMode WaitForFirstConsumer). */
export function isDelayedBinding(claim: PersistentVolumeClaim, classOf: (name: string) => StorageClass | undefined): boolean {
  const name = claimClass(claim);
  if (!name) return false;
  return classOf(name)?.volumeBindingMode === 'WaitForFirstConsumer';
}
