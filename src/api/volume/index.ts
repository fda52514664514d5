// SPDX-License-Identifier: Apache-2.0
/**
 * Persistent volume vocabulary and matching (upstream's
 * k8s.io/component-helpers/storage/volume and the binder's matching rules):
 * the annotations and events the volume controllers, the scheduler's volume
 * binding, the provisioner, storage admission and the kubelet share, and the
 * PV-to-PVC matching they must agree on.
 */
export * from './volume-annotations.js';
export {
  accessModesContain, claimRequest, findMatchingVolume, isVolumeBoundToClaim, mismatchReason, storageOf, volumeCapacity, volumeNodeAffinityMatches, type MatchOptions,
} from './volume-matching.js';
