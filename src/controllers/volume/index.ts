// SPDX-License-Identifier: Apache-2.0
/**
 * The volume controllers: the persistent volume binder, the pvc- and
 * pv-protection controllers and expansion of directory volumes. The
 * vocabulary they share with the scheduler, the provisioner, admission and
 * the kubelet lives in api/volume.
 */
export { PersistentVolumeController, CLAIM_REF_INDEX, NO_CLASS_MESSAGE, WAIT_FOR_CONSUMER_MESSAGE, externalProvisioningMessage, type PersistentVolumeControllerOptions } from './pv-controller.js';
export { PVCProtectionController, claimsOfPod, podHoldsClaims, POD_CLAIM_INDEX, type PVCProtectionControllerOptions } from './pvc-protection-controller.js';
export { PVProtectionController, type PVProtectionControllerOptions } from './pv-protection-controller.js';
export { expandBoundClaim, isResizableSource, needsExpansion, type ExpansionStep } from './volume-expansion.js';
