// SPDX-License-Identifier: Apache-2.0
/**
 * A watch as its request asks for it: the query parameters it reads, the
 * checks that must refuse it before the stream starts (once headers are out,
 * an error can only end the stream), and the bound on one user's open watches.
 */
import type { ServerResponse } from 'node:http';
import { StatusError, buildPredicate, queryBool, queryOptionalBool } from '../../machinery/index.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import { parseResourceVersion } from '../registry/resource-version.js';
import type { RequestContext } from '../registry/request-context.js';
import type { ResourceRequestInfo } from './request-info.js';
import { includeObjectOf, intParam } from './request-options.js';
import type { WatchRequest } from './watch-stream.js';

/** watchRequestOf reads a watch's parameters from its query; table asks for Table rows (kubectl get -w). */
export function watchRequestOf(reg: ResourceRegistry, info: ResourceRequestInfo, query: URLSearchParams, ctx: RequestContext, table: boolean): WatchRequest {
  return {
    reg, info, ctx,
    resourceVersion: query.get('resourceVersion') ?? undefined,
    labelSelector: query.get('labelSelector') ?? undefined,
    fieldSelector: query.get('fieldSelector') ?? undefined,
    allowBookmarks: queryBool(query, 'allowWatchBookmarks'),
    sendInitialEvents: queryOptionalBool(query, 'sendInitialEvents'),
    timeoutSeconds: intParam(query, 'timeoutSeconds'),
    includeObject: includeObjectOf(query),
    table: table ? reg.definition.printer : undefined,
  };
}

/** checkWatchRequest refuses a bad resourceVersion or selector while an error can still be a Status answer. */
export function checkWatchRequest(w: WatchRequest): void {
  if (w.resourceVersion) parseResourceVersion(w.resourceVersion);
  buildPredicate(w.reg.info, w.labelSelector, w.fieldSelector, w.info.name);
}

/** WatchLimiter bounds the watches one user holds open at once. */
export class WatchLimiter {
  readonly #max: number;
  /** Open watches per user name. */
  readonly #byUser = new Map<string, number>();

  constructor(maxPerUser: number) {
    this.#max = maxPerUser;
  }

  /** admit counts one more watch of user until res closes, or refuses it past the bound. */
  admit(user: string, res: ServerResponse): void {
    const open = this.#byUser.get(user) ?? 0;
    if (open >= this.#max) {
      // Upstream's answer when a client exceeds what the server admits (max-in-flight / priority and fairness).
      throw new StatusError(429, 'TooManyRequests', `Too many requests, please try again later: user ${JSON.stringify(user)} holds ${open} watches`, { retryAfterSeconds: 1 });
    }
    this.#byUser.set(user, open + 1);
    res.once('close', () => {
      const n = (this.#byUser.get(user) ?? 1) - 1;
      if (n > 0) this.#byUser.set(user, n);
      else this.#byUser.delete(user);
    });
  }
}
