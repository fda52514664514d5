// SPDX-License-Identifier: Apache-2.0
/**
 * Generic shapes of stored API objects. Typed shapes of each kind come from
 * `kubernetes-types`; code that handles every kind alike uses these.
 */
import type { ListMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';
import { cloneJson } from '../machinery/index.js';

export type { ListMeta, OwnerReference };

/** Mutable drops the `readonly` that kubernetes-types puts on server-set fields: the server sets them. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** ObjectMeta is metav1.ObjectMeta with every field writable. */
export type ObjectMeta = Mutable<import('kubernetes-types/meta/v1.js').ObjectMeta>;

/** KubeObject is any API object: typeMeta, metadata, and kind-specific fields. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** KubeList is the `<Kind>List` wrapper returned by list calls. */
export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

/** WatchEventType is the type of one watch event on the wire. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** WatchEvent is one event of a watch stream; ERROR carries a Status as its object. */
export interface WatchEvent<T = KubeObject> {
  type: WatchEventType;
  object: T;
}

/** isPlainObject narrows unknown JSON to an object map. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** deepClone copies JSON data (objects from caches are read-only; clone before changing). */
export const deepClone = cloneJson;

/** deepEqual compares JSON data structurally (key order does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}
