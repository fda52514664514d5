// SPDX-License-Identifier: Apache-2.0
/**
 * Owner references as controllers use them (upstream metav1.GetControllerOf,
 * NewControllerRef): the one reference with `controller: true` names the
 * object's managing controller.
 */
import type { KubeObject, OwnerReference } from '../api/index.js';

/** controllerRefOf returns the reference with controller: true, if any. */
export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** newControllerRef makes the owner reference a controller puts on what it creates (blockOwnerDeletion, as upstream). */
export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** isControlledBy reports whether obj's controller reference points at owner (by uid). */
export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  return controllerRefOf(obj)?.uid === owner.metadata.uid;
}

/** adoptPatch is the strategic merge patch upstream's ControllerRefManager sends to adopt: add our reference, check the uid. */
export function adoptPatch(obj: KubeObject, ref: OwnerReference): unknown {
  return { metadata: { ownerReferences: [ref], uid: obj.metadata.uid } };
}

/** releasePatch is the strategic merge patch that removes one owner reference (the $patch: delete directive, keyed by uid). */
export function releasePatch(obj: KubeObject, ownerUid: string): unknown {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: obj.metadata.uid } };
}
