// SPDX-License-Identifier: Apache-2.0
/**
 * PVProtectionController keeps a bound volume from being deleted, as
 * upstream's pkg/controller/volume/pvprotection: every volume carries the
 * kubernetes.io/pv-protection finalizer, and a deleted volume loses it only
 * once it is no longer Bound (its claim is gone and the binder released it).
 */
import { deepClone } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import type { InformerFactory, SharedInformer } from '../../client/index.js';
import type { Clock } from '../../client/index.js';
import { isNotFound } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';
import { PV_PROTECTION_FINALIZER, type PV } from '../../api/index.js';

/** PVProtectionControllerOptions are the controller's dependencies. */
export interface PVProtectionControllerOptions {
  client: Client;
  factory: InformerFactory;
  clock?: Clock;
  log?: (msg: string) => void;
}

/** PVProtectionController adds and removes the pv-protection finalizer; see the file comment. */
export class PVProtectionController extends Reconciler {
  readonly #client: Client;
  readonly #volumes: SharedInformer<PV>;

  constructor(opts: PVProtectionControllerOptions) {
    super({ name: 'pv-protection', clock: opts.clock, log: opts.log });
    this.#client = opts.client;
    this.#volumes = opts.factory.informer<PV>(R.persistentvolumes);
    this.#volumes.addEventHandler({ onAdd: (pv) => this.enqueue(pv.metadata.name!), onUpdate: (_o, pv) => this.enqueue(pv.metadata.name!) });
  }

  async sync(name: string): Promise<void> {
    const pv = this.#volumes.get(name);
    if (!pv) return;
    const finalizers = pv.metadata.finalizers ?? [];
    const has = finalizers.includes(PV_PROTECTION_FINALIZER);
    if (!pv.metadata.deletionTimestamp) {
      if (!has) await this.#setFinalizers(pv, [...finalizers, PV_PROTECTION_FINALIZER]);
      return;
    }
    if (!has || pv.status?.phase === 'Bound') return;
    await this.#setFinalizers(pv, finalizers.filter((f) => f !== PV_PROTECTION_FINALIZER));
  }

  async #setFinalizers(pv: PV, finalizers: string[]): Promise<void> {
    const next = deepClone(pv);
    next.metadata.finalizers = finalizers;
    try {
      await this.#client.update(R.persistentvolumes, next);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
