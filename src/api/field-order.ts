// SPDX-License-Identifier: Apache-2.0
/**
 * Upstream's field order for served objects. kube-apiserver serializes Go
 * structs, so every object reads `kind, apiVersion, metadata, <the kind's
 * fields>, status` and metadata follows ObjectMeta's field order, whatever
 * order the client wrote. Clients that compare bodies as text (and people
 * reading `curl` output) see the same document from Skiff.
 */
import type { KubeObject } from './object.js';

/** OBJECT_META_ORDER is metav1.ObjectMeta's field order. */
const OBJECT_META_ORDER = [
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
];

/** inUpstreamOrder returns `obj` with its top-level fields and metadata in upstream's order (a shallow rebuild; values are shared). */
export function inUpstreamOrder<T extends KubeObject>(obj: T): T {
  const src = obj as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if ('kind' in src) out.kind = src.kind;
  if ('apiVersion' in src) out.apiVersion = src.apiVersion;
  if (src.metadata && typeof src.metadata === 'object') {
    const meta = src.metadata as Record<string, unknown>;
    const m: Record<string, unknown> = {};
    for (const k of OBJECT_META_ORDER) if (k in meta) m[k] = meta[k];
    for (const k of Object.keys(meta)) if (!(k in m)) m[k] = meta[k];
    out.metadata = m;
  }
  for (const k of Object.keys(src)) if (!(k in out) && k !== 'status') out[k] = src[k];
  if ('status' in src) out.status = src.status;
  return out as T;
}
