// SPDX-License-Identifier: Apache-2.0
/**
 * The pod-template-hash of a Deployment's template and the semantic template
 * comparison it rests on (upstream controller.ComputeHash and
 * util.EqualIgnoreHash).
 */
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { deepClone, deepEqual } from '../../api/index.js';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** fnv32a is the 32-bit FNV-1a hash upstream's ComputeHash uses. */
function fnv32a(data: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(data, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** stableJSON renders JSON with sorted keys, so equal templates hash equally. */
function stableJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJSON).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJSON(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** SAFE_ALPHABET is apimachinery's rand alphabet: no vowels, no digits that read as letters. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** safeEncodeString maps each character onto the safe alphabet, as apimachinery rand.SafeEncodeString. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of Buffer.from(s, 'utf8')) out += SAFE_ALPHABET[ch % SAFE_ALPHABET.length];
  return out;
}

/**
 * computeHash is the pod-template-hash of a template: FNV-1a over its
 * canonical JSON and the collision count, rendered as upstream does
 * (SafeEncodeString of the decimal hash). The value differs from upstream's
 * (which hashes Go's printed struct) but is stable and of the same shape.
 */
export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let data = stableJSON(semantic(template ?? {}) ?? {});
  if (collisionCount !== undefined && collisionCount !== null) data += `#${collisionCount}`;
  return safeEncodeString(String(fnv32a(data)));
}

/**
 * semantic drops nulls, empty objects and empty arrays, recursively. Upstream
 * compares typed structs with apiequality.Semantic, where a null
 * `creationTimestamp` or an empty `resources: {}` (both of which kubectl
 * sends back on `rollout undo`) equal their absence.
 */
export function semantic(v: unknown): unknown {
  if (Array.isArray(v)) {
    const a = v.map(semantic);
    return a.length === 0 ? undefined : a;
  }
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const n = semantic(x);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return v === null ? undefined : v;
}

/** equalIgnoreHash compares two templates semantically, ignoring the pod-template-hash label (upstream EqualIgnoreHash). */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined): unknown => {
    const c = deepClone(t ?? {}) as PodTemplateSpec & { metadata?: { labels?: Record<string, string> } };
    if (c.metadata?.labels) delete c.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    return semantic(c);
  };
  return deepEqual(strip(a), strip(b));
}
