// SPDX-License-Identifier: Apache-2.0
/**
 * PersistentVolumeController binds claims to volumes and drives both
 * through their phases, as upstream's pv_controller.go: a claim binds to
 * the best matching volume (or waits for a provisioner, or for its first
 * consumer), a volume whose claim is gone is Released and then reclaimed
 * (Retain keeps it, Delete removes it; provisioned volumes are deleted by
 * their provisioner). Keys are `claim:<ns>/<name>` and `volume:<name>` on
 * one queue with one worker, as upstream runs one worker per queue, so two
 * claims never race for the same volume inside the controller (the
 * apiserver's resourceVersion check catches anyone else).
 */
import { deepClone } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import type { EventRecorder } from '../../client/index.js';
import { splitKey, type InformerFactory, type SharedInformer } from '../../client/index.js';
import type { Clock } from '../../client/index.js';
import { isNotFound } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';
import {
  ANN_BETA_STORAGE_PROVISIONER, ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER, claimClass, claimKey, claimRefKey, isBindCompleted, isDelayedBinding, VolumeEvents, type PV, type PVC, type SC,
} from '../../api/index.js';
import { findMatchingVolume, isVolumeBoundToClaim, mismatchReason } from '../../api/index.js';
import { expandBoundClaim } from './volume-expansion.js';
import { FreshestCache } from './freshest-cache.js';
import { VolumeWrites } from './volume-writes.js';

/** CLAIM_REF_INDEX indexes volumes by the `ns/name` of their claimRef. */
export const CLAIM_REF_INDEX = 'claimRef';

/** NO_CLASS_MESSAGE is upstream's FailedBinding message for a classless claim nothing matches. */
export const NO_CLASS_MESSAGE = 'no persistent volumes available for this claim and no storage class is set';
/** WAIT_FOR_CONSUMER_MESSAGE is upstream's WaitForFirstConsumer message. */
export const WAIT_FOR_CONSUMER_MESSAGE = 'waiting for first consumer to be created before binding';

/** externalProvisioningMessage is upstream's ExternalProvisioning message (pv_controller.go provisionClaimOperationExternal). */
export function externalProvisioningMessage(provisioner: string): string {
  return `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`;
}

/** PersistentVolumeControllerOptions are the controller's dependencies. */
export interface PersistentVolumeControllerOptions {
  client: Client;
  factory: InformerFactory;
  recorder: EventRecorder;
  clock?: Clock;
  log?: (msg: string) => void;
}

/** PersistentVolumeController is the persistent volume binder; see the file comment. */
export class PersistentVolumeController extends Reconciler {
  readonly #client: Client;
  readonly #recorder: EventRecorder;
  readonly #claims: SharedInformer<PVC>;
  readonly #volumes: SharedInformer<PV>;
  readonly #classes: SharedInformer<SC>;
  /** fresh remembers our own writes until the informers catch up, as upstream's assume cache. */
  readonly #fresh = new FreshestCache();
  readonly #writes: VolumeWrites;

  constructor(opts: PersistentVolumeControllerOptions) {
    super({ name: 'persistentvolume-binder', clock: opts.clock, log: opts.log });
    this.#client = opts.client;
    this.#recorder = opts.recorder;
    this.#writes = new VolumeWrites(this.#client, this.#recorder, this.#fresh);
    this.#claims = opts.factory.informer<PVC>(R.persistentvolumeclaims);
    this.#volumes = opts.factory.informer<PV>(R.persistentvolumes);
    this.#classes = opts.factory.informer<SC>(R.storageclasses);
    this.#volumes.addIndexer(CLAIM_REF_INDEX, (pv) => {
      const k = claimRefKey(pv);
      return k ? [k] : [];
    });
    this.#wire();
  }

  /** run uses a single worker whatever the manager asks for; see the file comment. */
  override run(signal: AbortSignal, _workers: number): Promise<void> {
    return super.run(signal, 1);
  }

  #wire(): void {
    this.#claims.addEventHandler({
      onAdd: (c) => this.enqueue(`claim:${claimKey(c)}`),
      onUpdate: (_o, c) => this.enqueue(`claim:${claimKey(c)}`),
      onDelete: (c) => {
        this.#fresh.forget(`claim:${claimKey(c)}`);
        if (c.spec?.volumeName) this.enqueue(`volume:${c.spec.volumeName}`);
        for (const pv of this.#volumes.byIndex(CLAIM_REF_INDEX, claimKey(c))) this.enqueue(`volume:${pv.metadata.name}`);
      },
    });
    const onVolume = (pv: PV): void => {
      this.enqueue(`volume:${pv.metadata.name}`);
      const ref = claimRefKey(pv);
      if (ref) this.enqueue(`claim:${ref}`);
      else this.#enqueueUnboundClaims();
    };
    this.#volumes.addEventHandler({
      onAdd: onVolume,
      onUpdate: (_o, pv) => onVolume(pv),
      onDelete: (pv) => {
        this.#fresh.forget(`volume:${pv.metadata.name}`);
        const ref = claimRefKey(pv);
        if (ref) this.enqueue(`claim:${ref}`);
      },
    });
    this.#classes.addEventHandler({ onAdd: () => this.#enqueueUnboundClaims(), onUpdate: () => this.#enqueueUnboundClaims() });
  }

  #enqueueUnboundClaims(): void {
    for (const c of this.#claims.list()) if (!isBindCompleted(c)) this.enqueue(`claim:${claimKey(c)}`);
  }

  #claim(key: string): PVC | undefined {
    return this.#fresh.pick(`claim:${key}`, this.#claims.get(key));
  }

  #volume(name: string): PV | undefined {
    return this.#fresh.pick(`volume:${name}`, this.#volumes.get(name));
  }

  #classOf = (name: string): SC | undefined => this.#classes.get(name);

  async sync(key: string): Promise<void> {
    const i = key.indexOf(':');
    const kind = key.slice(0, i);
    const rest = key.slice(i + 1);
    if (kind === 'claim') {
      const claim = this.#claim(rest);
      if (claim) await this.syncClaim(claim);
    } else if (kind === 'volume') {
      const pv = this.#volume(rest);
      if (pv) await this.syncVolume(pv);
    }
  }

  /** syncClaim makes one step for a claim: bind it, wait, or check its binding still holds. */
  async syncClaim(claim: PVC): Promise<void> {
    if (!isBindCompleted(claim)) await this.#syncUnboundClaim(claim);
    else await this.#syncBoundClaim(claim);
  }

  async #syncUnboundClaim(claim: PVC): Promise<void> {
    const name = claim.spec?.volumeName;
    if (name) return this.#syncPreBoundClaim(claim, name);
    const delay = isDelayedBinding(claim, this.#classOf);
    const pv = findMatchingVolume(claim, this.#volumes.list().map((v) => this.#volume(v.metadata.name!) ?? v), { delayBinding: delay });
    if (pv) return this.#writes.bind(pv, claim);
    const selectedNode = claim.metadata.annotations?.[ANN_SELECTED_NODE];
    if (delay && !selectedNode) {
      void this.#recorder.event(claim, 'Normal', VolumeEvents.WaitForFirstConsumer, WAIT_FOR_CONSUMER_MESSAGE);
      return this.#writes.setClaimPhase(claim, 'Pending');
    }
    await this.#provisionOrWait(claim);
  }

  /** provisionOrWait hands a claim nothing matches to its class's provisioner, or says why none can help. */
  async #provisionOrWait(claim: PVC): Promise<void> {
    const className = claimClass(claim);
    if (!className) {
      void this.#recorder.event(claim, 'Normal', VolumeEvents.FailedBinding, NO_CLASS_MESSAGE);
      return this.#writes.setClaimPhase(claim, 'Pending');
    }
    const sc = this.#classOf(className);
    if (!sc) {
      void this.#recorder.event(claim, 'Warning', VolumeEvents.ProvisioningFailed, `storageclass.storage.k8s.io "${className}" not found`);
      return this.#writes.setClaimPhase(claim, 'Pending');
    }
    // All provisioners are external to this controller (upstream's path for CSI and out-of-tree ones): annotate and wait.
    const ann = claim.metadata.annotations ?? {};
    if (ann[ANN_STORAGE_PROVISIONER] !== sc.provisioner || ann[ANN_BETA_STORAGE_PROVISIONER] !== sc.provisioner) {
      const next = deepClone(claim);
      next.metadata.annotations = { ...ann, [ANN_STORAGE_PROVISIONER]: sc.provisioner, [ANN_BETA_STORAGE_PROVISIONER]: sc.provisioner };
      claim = await this.#writes.writeClaim(next);
    }
    void this.#recorder.event(claim, 'Normal', VolumeEvents.ExternalProvisioning, externalProvisioningMessage(sc.provisioner));
    await this.#writes.setClaimPhase(claim, 'Pending');
  }

  async #syncPreBoundClaim(claim: PVC, volumeName: string): Promise<void> {
    const pv = this.#volume(volumeName);
    if (!pv) return this.#writes.setClaimPhase(claim, 'Pending');
    if (!pv.spec?.claimRef) {
      const why = mismatchReason(pv, claim);
      if (why) {
        void this.#recorder.event(claim, 'Warning', VolumeEvents.VolumeMismatch, `Cannot bind to requested volume "${volumeName}": ${why}`);
        return this.#writes.setClaimPhase(claim, 'Pending');
      }
      return this.#writes.bind(pv, claim);
    }
    if (isVolumeBoundToClaim(pv, claim)) return this.#writes.bind(pv, claim);
    void this.#recorder.event(claim, 'Warning', VolumeEvents.FailedBinding, `volume "${volumeName}" already bound to a different claim.`);
    await this.#writes.setClaimPhase(claim, 'Pending');
  }

  async #syncBoundClaim(claim: PVC): Promise<void> {
    const name = claim.spec?.volumeName;
    const pv = name ? this.#volume(name) : undefined;
    if (!name || !pv) {
      const msg = name ? 'Bound claim has lost its PersistentVolume. Data on the volume is lost!' : 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!';
      if (claim.status?.phase !== 'Lost') void this.#recorder.event(claim, 'Warning', VolumeEvents.ClaimLost, msg);
      return this.#writes.setClaimPhase(claim, 'Lost');
    }
    if (pv.spec?.claimRef && !isVolumeBoundToClaim(pv, claim)) {
      if (claim.status?.phase !== 'Lost') void this.#recorder.event(claim, 'Warning', VolumeEvents.ClaimMisbound, 'Two claims are bound to the same volume, this one is bound incorrectly');
      return this.#writes.setClaimPhase(claim, 'Lost');
    }
    await this.#writes.bind(pv, claim);
    const sc = this.#classOf(claimClass(claim));
    const fresh = { claim: this.#claim(claimKey(claim)) ?? claim, pv: this.#volume(name) ?? pv };
    await expandBoundClaim({ ...fresh, storageClass: sc, writeVolume: (v) => this.#writes.writeVolume(v), writeClaimStatus: (c) => this.#writes.writeClaim(c, 'status'), recorder: this.#recorder });
  }

  /** syncVolume makes one step for a volume: Available, Bound, Released, or reclaimed. */
  async syncVolume(pv: PV): Promise<void> {
    const ref = pv.spec?.claimRef;
    if (!ref?.name) return this.#writes.setVolumePhase(pv, 'Available');
    const key = claimRefKey(pv);
    if (!ref.uid) {
      // Pre-bound by a user (or the scheduler) to a claim not bound yet: the claim's sync finishes the job.
      this.enqueue(`claim:${key}`);
      return this.#writes.setVolumePhase(pv, 'Available');
    }
    const claim = await this.#liveClaim(key);
    if (!claim || claim.metadata.uid !== ref.uid) return this.#writes.releaseAndReclaim(pv);
    if (!claim.spec?.volumeName) {
      this.enqueue(`claim:${key}`);
      return;
    }
    if (claim.spec.volumeName === pv.metadata.name) return this.#writes.setVolumePhase(pv, 'Bound');
    // The claim went to another volume. Undo our own half-binding; a user's pre-binding stays as they wrote it.
    if (pv.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER]) {
      const next = deepClone(pv);
      delete next.spec!.claimRef;
      delete next.metadata.annotations![ANN_BOUND_BY_CONTROLLER];
      const written = await this.#writes.writeVolume(next);
      await this.#writes.setVolumePhase(written, 'Available');
    }
  }

  /** liveClaim reads a claim from the cache, and from the API when the cache does not have it (it may just lag). */
  async #liveClaim(key: string): Promise<PVC | undefined> {
    const cached = this.#claim(key);
    if (cached) return cached;
    const { namespace, name } = splitKey(key);
    try {
      return await this.#client.get<PVC>(R.persistentvolumeclaims, name, { namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
