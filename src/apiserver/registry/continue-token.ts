// SPDX-License-Identifier: Apache-2.0
/**
 * The `continue` token of paged lists: the revision of the first page and the
 * key (relative to the listed prefix) after which the next page starts, as
 * upstream's etcd3 storage encodes it (base64 JSON with a version tag).
 */
import { newBadRequest } from '../../machinery/index.js';

interface ContinueToken {
  v: 'meta.k8s.io/v1';
  rv: number;
  start: string;
}

export function encodeContinue(rv: number, startAfterRelativeKey: string): string {
  const token: ContinueToken = { v: 'meta.k8s.io/v1', rv, start: startAfterRelativeKey };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

export function decodeContinue(s: string): { rv: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as ContinueToken;
    if (t.v !== 'meta.k8s.io/v1' || !Number.isSafeInteger(t.rv) || typeof t.start !== 'string' || t.start.includes('/..')) throw new Error('bad token');
    return { rv: t.rv, start: t.start };
  } catch {
    throw newBadRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}
