// SPDX-License-Identifier: Apache-2.0
/**
 * The `$`-directives of strategic merge patches (apimachinery
 * pkg/util/strategicpatch/patch.go) and the clean-up of patch values copied
 * into the result. Upstream copies patch values into a loosely typed map and
 * relies on decoding into the Go struct to drop leftover directive keys and
 * nulls; Skiff stores JSON as it is, so it removes them here instead.
 */
import type { StatusError } from '../errors.js';
import { hasOwn, isJsonObject, setOwn, type JsonObject } from './json-value.js';

/** directive holds the directive keys and the values of `$patch`. */
export const directive = {
  patch: '$patch',
  retainKeys: '$retainKeys',
  deleteFromPrimitiveList: '$deleteFromPrimitiveList',
  setElementOrder: '$setElementOrder',
  replace: 'replace',
  delete: 'delete',
  merge: 'merge',
} as const;

/** isDirectiveKey tells whether a map key is a directive rather than a field. */
export function isDirectiveKey(key: string): boolean {
  return (
    key === directive.patch ||
    key === directive.retainKeys ||
    key.startsWith(`${directive.deleteFromPrimitiveList}/`) ||
    key.startsWith(`${directive.setElementOrder}/`)
  );
}

/**
 * fieldOfDirective strips a parallel-list prefix (`$setElementOrder/containers`
 * → `containers`), failing with the format error upstream's extractKey gives.
 */
export function fieldOfDirective(key: string, prefix: string, formatError: () => StatusError): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) throw formatError();
  return key.slice(slash + 1);
}

/**
 * withoutDirectives is upstream's removeDirectives plus discardNullValuesFromPatch,
 * for a patch value that has nothing to merge with: a map carrying `$patch`
 * disappears (undefined), null members are dropped, other directive keys removed.
 */
export function withoutDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutDirectives).filter((x) => x !== undefined);
  if (!isJsonObject(v)) return v;
  if (hasOwn(v, directive.patch)) return undefined;
  return cleanMembers(v, withoutDirectives);
}

/**
 * withoutDirectiveKeys is what decoding into the typed object leaves of a patch
 * value taken verbatim: directive keys and null members removed, everything
 * else kept, including maps that carried `$patch`.
 */
export function withoutDirectiveKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutDirectiveKeys);
  if (!isJsonObject(v)) return v;
  return cleanMembers(v, withoutDirectiveKeys);
}

function cleanMembers(v: JsonObject, clean: (x: unknown) => unknown): JsonObject {
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null || isDirectiveKey(k)) continue;
    const cleaned = clean(x);
    if (cleaned !== undefined) setOwn(out, k, cleaned);
  }
  return out;
}
