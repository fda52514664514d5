// SPDX-License-Identifier: Apache-2.0
/**
 * PATCH bodies: the JSON patch, merge patch and strategic merge patch
 * engines and the media types that choose them, as kube-apiserver chooses
 * them. Which kinds take which patch (their strategic-merge metadata) is
 * api/patch's business; it applies a body to an object of a kind.
 */
import { StatusError } from '../errors.js';

export { applyJsonPatch, decodeJsonPatch, maxJsonPatchOperations, type JsonPatchOperation } from './json-patch.js';
export { applyMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch } from './strategic-merge.js';
export type { PatchMeta, FieldPatchMeta, PatchStrategy } from './patch-meta.js';
export { isJsonObject } from './json-value.js';
export { goJsonKind } from './patch-errors.js';
export { unprocessableMessage } from './patch-errors.js';

/** PatchType names the PATCH body formats; `apply` is server-side apply. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** GroupVersionKind identifies the kind being patched. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** PATCH_CONTENT_TYPES maps each PATCH media type to its patch type, in the order upstream lists them. */
export const PATCH_CONTENT_TYPES: Readonly<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/**
 * patchTypeFromContentType maps a request Content-Type to a patch type,
 * ignoring parameters such as `; charset=utf-8` as upstream does; undefined for
 * anything else (the handler answers 415).
 */
export function patchTypeFromContentType(contentType: string): PatchType | undefined {
  const semi = contentType.indexOf(';');
  const base = (semi >= 0 ? contentType.slice(0, semi) : contentType).trim();
  return PATCH_CONTENT_TYPES[base];
}

/** newServerSideApplyUnsupported is the 415 returned for `kubectl apply --server-side` until apply is implemented. */
export function newServerSideApplyUnsupported(): StatusError {
  return new StatusError(415, 'UnsupportedMediaType', 'server-side apply (application/apply-patch+yaml) is not supported by this server yet; use client-side kubectl apply');
}
