// SPDX-License-Identifier: Apache-2.0
/**
 * The volume controllers: the persistent volume binder, the pvc- and
 * pv-protection controllers, expansion of directory volumes, and the
 * storage admission plugins. The annotation and event vocabulary they share
 * with the scheduler, the provisioner and the kubelet is exported here.
 */
export * from './volume-annotations.js';
export {
  accessModesContain, claimRequest, findMatchingVolume, isVolumeBoundToClaim, mismatchReason, storageOf, volumeCapacity, volumeNodeAffinityMatches, type MatchOptions,
} from './volume-matching.js';
export { PersistentVolumeController, CLAIM_REF_INDEX, NO_CLASS_MESSAGE, WAIT_FOR_CONSUMER_MESSAGE, externalProvisioningMessage, type PersistentVolumeControllerOptions } from './pv-controller.js';
export { PVCProtectionController, claimsOfPod, podHoldsClaims, POD_CLAIM_INDEX, type PVCProtectionControllerOptions } from './pvc-protection-controller.js';
export { PVProtectionController, type PVProtectionControllerOptions } from './pv-protection-controller.js';
export { expandBoundClaim, isResizableSource, needsExpansion, type ExpansionStep } from './volume-expansion.js';
export { storageAdmissionPlugins, defaultStorageClassAdmission, persistentVolumeClaimResizeAdmission, storageObjectInUseProtectionAdmission, pickDefaultClass, RESIZE_FORBIDDEN } from './admission/storage-admission.js';
