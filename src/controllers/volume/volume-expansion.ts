// SPDX-License-Identifier: Apache-2.0
/**
 * Volume expansion for directory-backed volumes. Upstream splits it between
 * the expand controller, an external resizer (which grows the volume and
 * the PV's capacity) and the kubelet (which grows the file system and sets
 * the claim's status.capacity). A hostPath or local directory has no size
 * to grow, so Skiff does all three steps at once: a larger request on a
 * bound claim whose class allows expansion raises the PV's capacity, then
 * the claim's status.capacity and allocatedResources, with the resizer's
 * events. Other volume types are left alone (no resizer serves them).
 */
import { deepClone } from '../../api/index.js';
import type { EventRecorder } from '../../client/index.js';
import { VolumeEvents, type PV, type PVC, type SC } from '../../api/index.js';
import { claimRequest, storageOf, volumeCapacity } from '../../api/index.js';

/** ExpansionStep is what expandBoundClaim needs: the bound pair, the class, and ways to write. */
export interface ExpansionStep {
  claim: PVC;
  pv: PV;
  storageClass: SC | undefined;
  writeVolume(pv: PV): Promise<PV>;
  writeClaimStatus(claim: PVC): Promise<PVC>;
  recorder: EventRecorder;
}

/** isResizableSource says Skiff can resize this volume (directories resize for free). */
export function isResizableSource(pv: PV): boolean {
  return Boolean(pv.spec?.hostPath || pv.spec?.local);
}

/** needsExpansion says the claim asks for more than its status reports. */
export function needsExpansion(claim: PVC): boolean {
  const have = storageOf(claim.status?.capacity as Record<string, unknown> | undefined);
  return !have.isZero() && claimRequest(claim).cmp(have) > 0;
}

/** expandBoundClaim performs one expansion of a bound claim, when one is asked for and allowed. */
export async function expandBoundClaim(s: ExpansionStep): Promise<void> {
  const { claim, storageClass } = s;
  if (!needsExpansion(claim) || !storageClass?.allowVolumeExpansion || !isResizableSource(s.pv)) return;
  const request = claim.spec!.resources!.requests!.storage as string;
  let pv = s.pv;
  if (volumeCapacity(pv).cmp(claimRequest(claim)) < 0) {
    void s.recorder.event(claim, 'Normal', VolumeEvents.Resizing, `External resizer is resizing volume ${pv.metadata.name}`);
    const next = deepClone(pv);
    next.spec = { ...next.spec, capacity: { ...next.spec?.capacity, storage: request } };
    pv = await s.writeVolume(next);
  }
  const { conditions: _resizing, ...status } = claim.status ?? {};
  await s.writeClaimStatus({
    ...deepClone(claim),
    status: { ...status, capacity: { ...status.capacity, storage: request }, allocatedResources: { ...status.allocatedResources, storage: request } },
  });
  void s.recorder.event(claim, 'Normal', VolumeEvents.VolumeResizeSuccessful, 'Resize volume succeeded');
}
