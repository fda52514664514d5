// SPDX-License-Identifier: Apache-2.0
/**
 * PVCProtectionController keeps a claim that a pod uses from disappearing
 * under it, as upstream's pkg/controller/volume/pvcprotection: every claim
 * carries the kubernetes.io/pvc-protection finalizer, and a deleted claim
 * (deletionTimestamp set) loses it only once no scheduled, non-terminated
 * pod references it. The cache can lag behind a pod that was just bound,
 * so before releasing a claim the pods of its namespace are listed live,
 * as upstream does.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { deepClone, type KubeObject } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import { splitKey, type InformerFactory, type SharedInformer } from '../../client/index.js';
import type { Clock } from '../../client/index.js';
import { isNotFound } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';
import { claimKey, PVC_PROTECTION_FINALIZER, type PVC } from '../../api/index.js';

type PodObject = KubeObject & Pod;

/** POD_CLAIM_INDEX indexes pods by the `ns/claim` of every persistentVolumeClaim volume they mount. */
export const POD_CLAIM_INDEX = 'pvcs';

/** claimsOfPod lists `ns/name` of the claims a pod's volumes reference. */
export function claimsOfPod(pod: Pod): string[] {
  const ns = pod.metadata?.namespace ?? '';
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) if (v.persistentVolumeClaim?.claimName) out.push(`${ns}/${v.persistentVolumeClaim.claimName}`);
  return out;
}

/** podUsesClaims says a pod still holds its claims: it is on a node and has not terminated (upstream podUsesPVC). */
export function podHoldsClaims(pod: Pod): boolean {
  if (!pod.spec?.nodeName) return false;
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

/** PVCProtectionControllerOptions are the controller's dependencies. */
export interface PVCProtectionControllerOptions {
  client: Client;
  factory: InformerFactory;
  clock?: Clock;
  log?: (msg: string) => void;
}

/** PVCProtectionController adds and removes the pvc-protection finalizer; see the file comment. */
export class PVCProtectionController extends Reconciler {
  readonly #client: Client;
  readonly #claims: SharedInformer<PVC>;
  readonly #pods: SharedInformer<PodObject>;

  constructor(opts: PVCProtectionControllerOptions) {
    super({ name: 'pvc-protection', clock: opts.clock, log: opts.log });
    this.#client = opts.client;
    this.#claims = opts.factory.informer<PVC>(R.persistentvolumeclaims);
    this.#pods = opts.factory.informer<PodObject>(R.pods);
    this.#pods.addIndexer(POD_CLAIM_INDEX, claimsOfPod);
    const onClaim = (c: PVC): void => this.enqueue(claimKey(c));
    this.#claims.addEventHandler({ onAdd: onClaim, onUpdate: (_o, c) => onClaim(c) });
    const onPod = (p: PodObject): void => {
      for (const k of claimsOfPod(p)) if (this.#claims.get(k)?.metadata.deletionTimestamp) this.enqueue(k);
    };
    this.#pods.addEventHandler({ onAdd: onPod, onUpdate: (_o, p) => onPod(p), onDelete: onPod });
  }

  async sync(key: string): Promise<void> {
    const claim = this.#claims.get(key);
    if (!claim) return;
    const finalizers = claim.metadata.finalizers ?? [];
    const has = finalizers.includes(PVC_PROTECTION_FINALIZER);
    if (!claim.metadata.deletionTimestamp) {
      if (!has) await this.#setFinalizers(claim, [...finalizers, PVC_PROTECTION_FINALIZER]);
      return;
    }
    if (!has || this.#usedInCache(key) || (await this.#usedLive(key))) return;
    await this.#setFinalizers(claim, finalizers.filter((f) => f !== PVC_PROTECTION_FINALIZER));
  }

  #usedInCache(key: string): boolean {
    return this.#pods.byIndex(POD_CLAIM_INDEX, key).some(podHoldsClaims);
  }

  async #usedLive(key: string): Promise<boolean> {
    const { namespace } = splitKey(key);
    const pods = await this.#client.list<PodObject>(R.pods, { namespace });
    return pods.items.some((p) => podHoldsClaims(p) && claimsOfPod(p).includes(key));
  }

  async #setFinalizers(claim: PVC, finalizers: string[]): Promise<void> {
    const next = deepClone(claim);
    next.metadata.finalizers = finalizers;
    try {
      await this.#client.update(R.persistentvolumeclaims, next, { namespace: claim.metadata.namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
