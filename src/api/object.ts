// SPDX-License-Identifier: Apache-2.0
/**
 * Generic shapes of stored API objects. Typed shapes of each kind come from
 * `kubernetes-types`; code that handles every kind alike uses these.
 */
import type { ObjectMeta, ListMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';

export type { ObjectMeta, ListMeta, OwnerReference };

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
export function deepClone<T>(v: T): T {
  return structuredClone(v);
}
