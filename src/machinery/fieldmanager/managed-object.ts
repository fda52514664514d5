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

/** deepEqual compares JSON data structurally (key order and undefined members do not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => deepEqual(ao[k], bo[k]));
}

/** deepClone copies JSON data. */
export const deepClone = cloneJson;
