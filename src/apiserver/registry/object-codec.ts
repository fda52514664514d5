// SPDX-License-Identifier: Apache-2.0
/**
 * How objects are kept in storage: JSON text of the object without its
 * resourceVersion (the store's revision is the resourceVersion, so writing it
 * into the value would be stale the moment it is stored).
 */
import type { KeyValue } from '../../storage/index.js';
import type { KubeObject } from '../../api/index.js';

/** decodeObject parses a stored value and stamps the revision that wrote it as its resourceVersion. */
export function decodeObject(kv: KeyValue): KubeObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

/** encodeObject renders an object for storage, leaving out its resourceVersion. */
export function encodeObject(obj: KubeObject): string {
  const rv = obj.metadata.resourceVersion;
  if (rv === undefined) return JSON.stringify(obj);
  delete obj.metadata.resourceVersion;
  try {
    return JSON.stringify(obj);
  } finally {
    obj.metadata.resourceVersion = rv;
  }
}

/**
 * decodedCache memoizes the decoded object per stored version. Watch events
 * are shared by every watcher of a prefix, so each version is parsed once
 * however many watchers receive it. Callers must treat the result as
 * read-only (clone before changing it).
 */
const decodedCache = new WeakMap<KeyValue, KubeObject>();

export function decodeShared(kv: KeyValue): KubeObject {
  let obj = decodedCache.get(kv);
  if (!obj) {
    obj = decodeObject(kv);
    decodedCache.set(kv, obj);
  }
  return obj;
}

/** Serialized watch-event lines, memoized per (stored version, event type, served apiVersion). */
const lineCache = new WeakMap<KeyValue, Map<string, string>>();

/** encodedOnce returns `make()` cached per stored version and variant, so a watch event is serialized once for all watchers. */
export function encodedOnce(kv: KeyValue, variant: string, make: () => string): string {
  let m = lineCache.get(kv);
  if (!m) lineCache.set(kv, (m = new Map()));
  let s = m.get(variant);
  if (s === undefined) {
    s = make();
    m.set(variant, s);
  }
  return s;
}
