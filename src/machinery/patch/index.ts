// SPDX-License-Identifier: Apache-2.0
/**
 * PATCH bodies: JSON patch, merge patch and strategic merge patch, chosen by
 * Content-Type as kube-apiserver chooses them. The handler decodes the body,
 * calls applyPatch with the current object, then validates the result like an
 * update. Server-side apply is refused with 415 until it is implemented.
 */
import { StatusError, field, newInvalid } from '../errors.js';
import { applyJsonPatch } from './json-patch.js';
import { isJsonObject } from './json-value.js';
import { goJsonKind } from './patch-errors.js';
import { applyMergePatch } from './merge-patch.js';
import { patchMetaFor } from './patch-meta.js';
import { applyStrategicMergePatch } from './strategic-merge.js';

export { applyJsonPatch, decodeJsonPatch, maxJsonPatchOperations, type JsonPatchOperation } from './json-patch.js';
export { applyMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch } from './strategic-merge.js';
export { patchMetaFor, OBJECT_META, POD_SPEC, POD_TEMPLATE_SPEC, type PatchMeta, type FieldPatchMeta, type PatchStrategy } from './patch-meta.js';
export { unprocessableMessage } from './patch-errors.js';

/** PatchType names the PATCH body formats; `apply` is server-side apply. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** GroupVersionKind identifies the kind being patched. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

const CONTENT_TYPES: Record<string, PatchType> = {
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
  return CONTENT_TYPES[base];
}

/**
 * patchContentTypesFor lists the PATCH media types accepted for a kind, in the
 * order upstream lists them in its 415 message; kinds without strategic-merge
 * metadata (custom resources) do not accept strategic merge patches.
 */
export function patchContentTypesFor(gvk: GroupVersionKind): string[] {
  const all = Object.keys(CONTENT_TYPES);
  return patchMetaFor(gvk.group, gvk.version, gvk.kind) ? all : all.filter((ct) => CONTENT_TYPES[ct] !== 'strategic');
}

/** newUnsupportedPatchType is the 415 for a PATCH whose Content-Type the kind does not accept. */
export function newUnsupportedPatchType(gvk: GroupVersionKind): StatusError {
  const accepted = patchContentTypesFor(gvk).join(', ');
  return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted}`);
}

/** newServerSideApplyUnsupported is the 415 returned for `kubectl apply --server-side` until apply is implemented. */
export function newServerSideApplyUnsupported(): StatusError {
  return new StatusError(415, 'UnsupportedMediaType', 'server-side apply (application/apply-patch+yaml) is not supported by this server yet; use client-side kubectl apply');
}

/**
 * applyPatch applies a decoded PATCH body of the given type to the current
 * object (which is not mutated) and returns the patched object. The result
 * must still be an object; anything else is the 422 upstream gives when the
 * patched JSON does not decode into the kind.
 */
export function applyPatch(type: PatchType, original: unknown, patchBody: unknown, gvk: GroupVersionKind): unknown {
  let result: unknown;
  switch (type) {
    case 'json':
      result = applyJsonPatch(original, patchBody);
      break;
    case 'merge':
      if (!isJsonObject(patchBody) && !Array.isArray(patchBody)) throw new StatusError(400, 'BadRequest', 'Invalid JSON Patch');
      result = applyMergePatch(original, patchBody);
      break;
    case 'strategic': {
      const meta = patchMetaFor(gvk.group, gvk.version, gvk.kind);
      if (!meta) throw newUnsupportedPatchType(gvk);
      result = applyStrategicMergePatch(original, patchBody, meta);
      break;
    }
    case 'apply':
      throw newServerSideApplyUnsupported();
  }
  if (!isJsonObject(result)) {
    const detail = `json: cannot unmarshal ${goJsonKind(result)} into Go value of type ${gvk.version}.${gvk.kind}`;
    throw newInvalid('', '', '', [field.invalid('patch', JSON.stringify(result) ?? 'null', detail)]);
  }
  return result;
}
