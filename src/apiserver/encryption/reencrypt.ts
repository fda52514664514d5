// SPDX-License-Identifier: Apache-2.0
/**
 * reencryptSecrets rewrites every stored Secret so it is sealed with the
 * current primary key, the step upstream documents after a rotation
 * (`kubectl get secrets -A -o json | kubectl replace -f -`). It goes
 * through the encrypted Store, so each value is opened with whatever key
 * sealed it and sealed again with the primary; a concurrent write wins
 * (the revision check fails and that key is skipped: it is already fresh).
 */
import { RevisionConflictError, KeyNotFoundError } from '../../storage/index.js';
import type { Store } from '../../storage/index.js';
import { SECRET_PREFIXES } from './encrypted-store.js';

/** reencryptSecrets rewrites each value under the prefixes through `store` (an encryptedStore); it returns how many it rewrote. */
export async function reencryptSecrets(store: Store, prefixes: readonly string[] = SECRET_PREFIXES): Promise<number> {
  let n = 0;
  for (const prefix of prefixes) {
    let startAfter: string | undefined;
    do {
      const page = await store.list({ prefix, limit: 500, startAfter });
      for (const kv of page.items) {
        try {
          await store.update(kv.key, kv.value, kv.modRevision);
          n++;
        } catch (err) {
          if (!(err instanceof RevisionConflictError || err instanceof KeyNotFoundError)) throw err;
        }
      }
      startAfter = page.continueAfter;
    } while (startAfter);
  }
  return n;
}
