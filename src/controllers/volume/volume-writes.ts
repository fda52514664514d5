// SPDX-License-Identifier: Apache-2.0
/**
 * The persistent volume binder's writes: binding a volume and a claim to
 * each other, phases, and releasing and reclaiming a volume whose claim is
 * gone (upstream pv_controller.go bind, updateClaimStatus,
 * updateVolumePhase, reclaimVolume). Every write is remembered in the
 * FreshestCache, so the next sync does not act on an older cached copy.
 */
import { deepClone } from '../../api/index.js';
import { R, keyOf, type Client, type EventRecorder } from '../../client/index.js';
import { isNotFound } from '../../machinery/index.js';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_PROVISIONED_BY, VolumeEvents, type PV, type PVC } from '../../api/index.js';
import type { FreshestCache } from './freshest-cache.js';

/** VolumeWrites writes volumes and claims for the binder. */
export class VolumeWrites {
  readonly #client: Client;
  readonly #recorder: EventRecorder;
  readonly #fresh: FreshestCache;

  constructor(client: Client, recorder: EventRecorder, fresh: FreshestCache) {
    this.#client = client;
    this.#recorder = recorder;
    this.#fresh = fresh;
  }

  /** bind makes volume and claim point at each other, each step a no-op when already done (upstream's bind()). */
  async bind(pvIn: PV, claimIn: PVC): Promise<void> {
    let pv = pvIn;
    const ref = pv.spec?.claimRef;
    if (!ref || ref.uid !== claimIn.metadata.uid || ref.name !== claimIn.metadata.name) {
      const next = deepClone(pv);
      next.spec = { ...next.spec, claimRef: { kind: 'PersistentVolumeClaim', namespace: claimIn.metadata.namespace, name: claimIn.metadata.name, uid: claimIn.metadata.uid, apiVersion: 'v1', resourceVersion: claimIn.metadata.resourceVersion } };
      if (!ref) next.metadata.annotations = { ...next.metadata.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' };
      pv = await this.writeVolume(next);
    }
    if (pv.status?.phase !== 'Bound') pv = await this.writeVolume({ ...deepClone(pv), status: { ...pv.status, phase: 'Bound' } }, 'status');
    let claim = claimIn;
    const ann = claim.metadata.annotations ?? {};
    if (claim.spec?.volumeName !== pv.metadata.name || ann[ANN_BIND_COMPLETED] === undefined) {
      const next = deepClone(claim);
      const extra: Record<string, string> = { [ANN_BIND_COMPLETED]: 'yes' };
      if (!claim.spec?.volumeName) extra[ANN_BOUND_BY_CONTROLLER] = 'yes';
      next.metadata.annotations = { ...ann, ...extra };
      next.spec = { ...next.spec, volumeName: pv.metadata.name };
      claim = await this.writeClaim(next);
    }
    const st = claim.status ?? {};
    const wantCapacity = st.capacity ?? pv.spec?.capacity;
    if (st.phase !== 'Bound' || JSON.stringify(st.accessModes) !== JSON.stringify(pv.spec?.accessModes) || !st.capacity) {
      claim = await this.writeClaim({ ...deepClone(claim), status: { ...st, phase: 'Bound', accessModes: pv.spec?.accessModes, capacity: wantCapacity } }, 'status');
    }
  }

  /** releaseAndReclaim marks a volume whose claim is gone Released and applies its reclaim policy. */
  async releaseAndReclaim(pvIn: PV): Promise<void> {
    let pv = pvIn;
    if (pv.status?.phase === 'Failed') return;
    if (pv.status?.phase !== 'Released') pv = await this.writeVolume({ ...deepClone(pv), status: { ...pv.status, phase: 'Released' } }, 'status');
    const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Retain') return;
    if (policy === 'Recycle') {
      void this.#recorder.event(pv, 'Warning', VolumeEvents.VolumeFailedRecycle, 'No recycler plugin found for the volume!');
      await this.writeVolume({ ...deepClone(pv), status: { ...pv.status, phase: 'Failed', message: 'No recycler plugin found for the volume!' } }, 'status');
      return;
    }
    // Dynamically provisioned volumes are deleted by their (external) provisioner, which also removes the data.
    if (pv.metadata.annotations?.[ANN_PROVISIONED_BY]) return;
    if (pv.metadata.deletionTimestamp) return;
    try {
      await this.#client.delete(R.persistentvolumes, pv.metadata.name!);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** setClaimPhase and setVolumePhase write a phase unless it is already the current one. */
  async setClaimPhase(claim: PVC, phase: string): Promise<void> {
    if (claim.status?.phase === phase) return;
    await this.writeClaim({ ...deepClone(claim), status: { ...claim.status, phase } }, 'status');
  }

  async setVolumePhase(pv: PV, phase: string): Promise<void> {
    if (pv.status?.phase === phase) return;
    const status: Record<string, unknown> = { ...pv.status, phase };
    if (phase === 'Available' || phase === 'Bound') delete status.message;
    await this.writeVolume({ ...deepClone(pv), status }, 'status');
  }

  /** writeClaim and writeVolume write an object and remember the result until the informers catch up. */
  async writeClaim(claim: PVC, subresource?: 'status'): Promise<PVC> {
    const out = await this.#client.update<PVC>(R.persistentvolumeclaims, claim, { namespace: claim.metadata.namespace, subresource });
    this.#fresh.remember(`claim:${keyOf(out)}`, out);
    return out;
  }

  async writeVolume(pv: PV, subresource?: 'status'): Promise<PV> {
    const out = await this.#client.update<PV>(R.persistentvolumes, pv, { subresource });
    this.#fresh.remember(`volume:${out.metadata.name}`, out);
    return out;
  }
}
