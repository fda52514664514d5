// SPDX-License-Identifier: Apache-2.0
/**
 * PATCH for the served kinds: which media types a kind accepts and applying
 * a decoded body to an object of that kind (upstream's patcher in
 * k8s.io/apiserver handlers/patch.go), with the strategic-merge metadata of
 * the kinds. The handler decodes the body, calls applyPatch with the current
 * object, then validates the result like an update.
 */
import {
  PATCH_CONTENT_TYPES, StatusError, applyJsonPatch, applyMergePatch, applyStrategicMergePatch, field, goJsonKind, isJsonObject, newInvalid, newServerSideApplyUnsupported,
  type GroupVersionKind, type PatchType,
} from '../../machinery/index.js';
import { patchMetaFor } from './patch-meta.js';

export { patchMetaFor, OBJECT_META, POD_SPEC, POD_TEMPLATE_SPEC } from './patch-meta.js';

/**
 * patchContentTypesFor lists the PATCH media types accepted for a kind, in the
 * order upstream lists them in its 415 message; kinds without strategic-merge
 * metadata (custom resources) do not accept strategic merge patches.
 */
export function patchContentTypesFor(gvk: GroupVersionKind): string[] {
  const all = Object.keys(PATCH_CONTENT_TYPES);
  return patchMetaFor(gvk.group, gvk.version, gvk.kind) ? all : all.filter((ct) => PATCH_CONTENT_TYPES[ct] !== 'strategic');
}

/** newUnsupportedPatchType is the 415 for a PATCH whose Content-Type the kind does not accept. */
export function newUnsupportedPatchType(gvk: GroupVersionKind): StatusError {
  const accepted = patchContentTypesFor(gvk).join(', ');
  return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted}`);
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
