// SPDX-License-Identifier: Apache-2.0
/** Helpers for server-set metadata: generated names, timestamps, and when an update changed the spec. */
import type { KubeObject } from '../../api/index.js';
import { deepEqual } from '../../api/index.js';

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

export function generateName(base: string): string {
  // Upstream: base truncated to 58 characters plus five random characters.
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return base.slice(0, 58) + suffix;
}

export { rfc3339 } from '../../machinery/index.js';

/** specChanged is true when anything besides metadata and status differs (drives metadata.generation). */
export function specChanged(a: KubeObject, b: KubeObject): boolean {
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind') continue;
    if (!deepEqual(a[k], b[k])) return true;
  }
  return false;
}

export function sameObject(a: KubeObject, b: KubeObject): boolean {
  return deepEqual(a, b);
}
