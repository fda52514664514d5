// SPDX-License-Identifier: Apache-2.0
/**
 * The part of an API object the field manager reads and writes (machinery
 * knows no API types), and JSON helpers for plain data.
 */

import type { ManagedFieldsEntry } from './managed-fields.js';
import { cloneJson } from '../json-clone.js';

/** ManagedObject is any API object as far as managedFields are concerned. */
export interface ManagedObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    uid?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    managedFields?: ManagedFieldsEntry[];
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/**
 * deepEqual compares JSON data structurally (key order and undefined members
 * do not matter). Every update compares the managedFields a client sent back
 * with the stored ones, and every leaf of the object: it walks without
 * building key lists per object.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  const isArray = Array.isArray(a);
  if (isArray !== Array.isArray(b)) return false;
  if (isArray) {
    const aa = a as unknown[];
    const bb = b as unknown[];
    if (aa.length !== bb.length) return false;
    // Holes are skipped, as Array.prototype.every skips them.
    for (let i = 0; i < aa.length; i++) if (i in aa && !deepEqual(aa[i], bb[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let defined = 0;
  for (const k of Object.keys(ao)) {
    const v = ao[k];
    if (v === undefined) continue;
    defined++;
    if (!deepEqual(v, bo[k])) return false;
  }
  for (const k of Object.keys(bo)) if (bo[k] !== undefined) defined--;
  return defined === 0;
}

/** deepClone copies JSON data. */
export const deepClone = cloneJson;
