// SPDX-License-Identifier: Apache-2.0
/**
 * Resource versions as request parameters (upstream's
 * APIObjectVersioner.ParseResourceVersion): the registry's reads and the
 * watch both parse them.
 */
import { newBadRequest } from '../../machinery/index.js';

/** parseResourceVersion reads a resourceVersion parameter, with upstream's error for garbage. */
export function parseResourceVersion(rv: string): number {
  const n = Number(rv);
  if (!Number.isSafeInteger(n) || n < 0) throw newBadRequest(`invalid resource version: ${JSON.stringify(rv)}`);
  return n;
}
