// SPDX-License-Identifier: Apache-2.0
/** DELETE on a collection, as upstream's Store.DeleteCollection: each listed object deleted as a DELETE of its own would be. */
import type { KubeList, KubeObject } from '../../api/index.js';
import { StatusError } from '../../machinery/index.js';
import type { DeleteRequest, DeleteResult, ListRequest } from './registry-types.js';
import type { RequestContext } from './request-context.js';

/** CollectionDeleter is the part of a registry a collection delete uses. */
export interface CollectionDeleter {
  list(ctx: RequestContext, req: ListRequest): Promise<KubeList>;
  delete(ctx: RequestContext, name: string, req: DeleteRequest): Promise<DeleteResult>;
}

/** deleteCollection deletes what `list` selects; an object already gone is skipped (someone else deleted it). */
export async function deleteCollection(reg: CollectionDeleter, ctx: RequestContext, list: ListRequest, req: DeleteRequest): Promise<KubeList> {
  const all = await reg.list(ctx, { predicate: list.predicate });
  const deleted: KubeObject[] = [];
  for (const obj of all.items) {
    const c = { ...ctx, namespace: obj.metadata.namespace ?? ctx.namespace };
    try {
      deleted.push((await reg.delete(c, obj.metadata.name!, req)).object);
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'NotFound')) throw err;
    }
  }
  return { ...all, items: deleted };
}
