// SPDX-License-Identifier: Apache-2.0
/**
 * DaemonSet revision history (upstream daemon/update.go constructHistory):
 * the revision equal to the current template is the current one; it gets
 * the highest revision number (re-applying an old template through
 * `rollout undo` bumps that old revision), and its hash label is what
 * updated pods carry.
 */
import { R, type Client } from '../../client/index.js';
import { isNotFound } from '../../machinery/index.js';
import {
  CONTROLLER_REVISION_HASH_LABEL, createControllerRevision, equalRevision, hashOf, newControllerRevision, nextRevision, sortRevisions, updateRevisionNumber,
  type ControllerRevisionObj,
} from '../controller-revision.js';
import type { DaemonSetObj } from './daemon-pod.js';

/** CurrentRevision is the DaemonSet's current revision hash, its whole history and the collision count used. */
export interface CurrentRevision {
  hash: string;
  all: ControllerRevisionObj[];
  collisionCount: number;
}

/** DaemonSetHistory finds or creates the current revision of a DaemonSet. */
export class DaemonSetHistory {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  /** current returns the revision matching the template, creating or renumbering it when needed. */
  async current(ds: DaemonSetObj, claimed: readonly ControllerRevisionObj[]): Promise<CurrentRevision> {
    const revisions = sortRevisions(claimed);
    let collisionCount = ds.status?.collisionCount ?? 0;
    const opts = { owner: ds, apiVersion: 'apps/v1', kind: 'DaemonSet', template: ds.spec?.template, revision: nextRevision(revisions), hashLabel: CONTROLLER_REVISION_HASH_LABEL };
    const wanted = newControllerRevision({ ...opts, collisionCount });
    const equal = revisions.filter((r) => equalRevision(r, wanted));
    let cur: ControllerRevisionObj;
    if (equal.length > 0) {
      cur = equal[equal.length - 1];
      // Duplicates of the same template (left by a race) are folded into the newest, as upstream dedupCurHistories.
      for (const dup of equal.slice(0, -1)) await this.#delete(dup);
      if (cur !== revisions[revisions.length - 1]) cur = await updateRevisionNumber(this.#client, cur, opts.revision);
    } else {
      const created = await createControllerRevision(this.#client, { ...opts, collisionCount });
      cur = created.revision;
      collisionCount = created.collisionCount ?? 0;
    }
    const dups = new Set(equal.slice(0, -1).map((r) => r.metadata.name));
    const all = [...revisions.filter((r) => r.metadata.name !== cur.metadata.name && !dups.has(r.metadata.name)), cur];
    return { hash: hashOf(cur, CONTROLLER_REVISION_HASH_LABEL), all, collisionCount };
  }

  async #delete(cr: ControllerRevisionObj): Promise<void> {
    try {
      await this.#client.delete(R.controllerrevisions, cr.metadata.name!, { namespace: cr.metadata.namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
