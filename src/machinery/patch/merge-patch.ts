// SPDX-License-Identifier: Apache-2.0
/**
 * JSON Merge Patch (RFC 7386), the `application/merge-patch+json` format:
 * objects merge member by member, `null` deletes a member, anything else
 * (arrays included) replaces the target value whole.
 */
import { cloneJson, hasOwn, isJsonObject, setOwn, type JsonObject } from './json-value.js';

/** applyMergePatch applies an RFC 7386 merge patch and returns a new value; neither argument is mutated. */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  return mergeInto(cloneJson(doc), cloneJson(patch));
}

/** mergeInto is the MergePatch function of RFC 7386 §2, mutating the (already copied) target. */
function mergeInto(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return patch;
  const out: JsonObject = isJsonObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      if (hasOwn(out, key)) delete out[key];
    } else {
      setOwn(out, key, mergeInto(hasOwn(out, key) ? out[key] : undefined, value));
    }
  }
  return out;
}
