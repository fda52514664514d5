// SPDX-License-Identifier: Apache-2.0
/**
 * readPages reads one LIST page from the store. With a predicate a page may
 * need several reads to fill `limit` matches, as upstream's storage does;
 * all reads happen at the first read's revision.
 */
import type { KubeObject } from '../../api/index.js';
import { newGone, type GroupResource } from '../../machinery/index.js';
import type { KeyValue, Store } from '../../storage/index.js';
import { CompactedError } from '../../storage/index.js';
import { translateStorageError } from './storage-errors.js';

export interface PageRequest {
  prefix: string;
  startAfter?: string;
  /** revision to read at (0: the current one). */
  revision: number;
  limit?: number;
  predicate?: (obj: KubeObject) => boolean;
  /** continuing: the read continues an earlier page (a compacted revision answers 410 Gone). */
  continuing: boolean;
}

export interface Page {
  items: KubeObject[];
  /** continueAfter is the last key returned when more items follow. */
  continueAfter?: string;
  readAt: number;
}

export async function readPages(store: Store, req: PageRequest, decode: (kv: KeyValue) => KubeObject | Promise<KubeObject>, gr: GroupResource): Promise<Page> {
  const { prefix } = req;
  let startAfter = req.startAfter;
  const limit = req.limit && req.limit > 0 ? req.limit : 0;
  const items: KubeObject[] = [];
  let continueAfter: string | undefined;
  let readAt = req.revision;
  for (;;) {
    const page = await store
      .list({ prefix, startAfter, limit: limit ? limit - items.length + (req.predicate ? 16 : 0) : 0, revision: readAt })
      .catch((err: unknown) => {
        if (err instanceof CompactedError && req.continuing) {
          throw newGone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
        }
        throw translateStorageError(gr, '')(err);
      });
    readAt = page.revision;
    let lastKey: string | undefined;
    for (const kv of page.items) {
      lastKey = kv.key;
      const obj = await decode(kv);
      if (req.predicate && !req.predicate(obj)) continue;
      items.push(obj);
      if (limit && items.length >= limit) break;
    }
    if (limit && items.length >= limit) {
      const more = lastKey !== page.items[page.items.length - 1]?.key || page.continueAfter !== undefined;
      continueAfter = more ? lastKey : undefined;
      break;
    }
    if (!page.continueAfter) break;
    startAfter = page.continueAfter;
  }
  return { items, continueAfter, readAt };
}
