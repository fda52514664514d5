// SPDX-License-Identifier: Apache-2.0
/**
 * The managedFields of an object decoded into one field set per manager and
 * encoded back, as upstream's fieldmanager/internal/managedfields.go. A
 * manager is identified by its name, operation, subresource and, for Update
 * managers only, the API version (an applier keeps one entry whatever
 * version it applies with); the time is not part of the identity.
 */
import { FieldSet, type FieldsV1 } from './field-set.js';

export type Operation = 'Apply' | 'Update';

/** ManagerEntry is one managedFields entry with its decoded field set. */
export interface ManagerEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
  /** raw is the stored fieldsV1 this set was decoded from, reused when the set did not change. */
  raw?: FieldsV1;
}

/** Managed maps manager identifiers to their entries. */
export type Managed = Map<string, ManagerEntry>;

/** ManagedFieldsEntry is the wire form (metav1.ManagedFieldsEntry). */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: FieldsV1;
  subresource?: string;
}

/** managerIdentifier is upstream's BuildManagerIdentifier: the entry's JSON without fields, time, and (for appliers) version. */
export function managerIdentifier(e: { manager: string; operation: Operation; apiVersion?: string; subresource?: string }): string {
  const id: Record<string, string> = {};
  if (e.manager) id.manager = e.manager;
  id.operation = e.operation;
  if (e.operation === 'Update' && e.apiVersion) id.apiVersion = e.apiVersion;
  if (e.subresource) id.subresource = e.subresource;
  return JSON.stringify(id);
}

/** decodeManagedFields reads managedFields; it throws with upstream's messages on entries it cannot use. */
export function decodeManagedFields(entries: unknown): Managed {
  const managed: Managed = new Map();
  if (entries === undefined || entries === null) return managed;
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  entries.forEach((raw: ManagedFieldsEntry, i) => {
    if (raw.operation !== 'Apply' && raw.operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (!raw.apiVersion) throw new Error('apiVersion must not be empty');
    if (!raw.fieldsType) throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (raw.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${JSON.stringify(raw.fieldsType)} in managed fields entry ${i}`);
    const entry: ManagerEntry = {
      manager: raw.manager ?? '',
      operation: raw.operation,
      apiVersion: raw.apiVersion,
      subresource: raw.subresource || undefined,
      time: raw.time,
      set: FieldSet.fromFieldsV1(raw.fieldsV1 ?? {}),
      raw: raw.fieldsV1,
    };
    managed.set(managerIdentifier(entry), entry);
  });
  return managed;
}

/**
 * encodeManagedFields writes the entries in upstream's order: Apply before
 * Update, then by time, manager, version and subresource. Undefined when
 * no manager remains (the field is left out).
 */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] | undefined {
  const entries = [...managed.values()].filter((e) => !e.set.isEmpty());
  if (entries.length === 0) return undefined;
  return sortEntries(entries).map((e) => {
    const out: ManagedFieldsEntry = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time) out.time = e.time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = e.raw ?? e.set.toFieldsV1();
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

/** sortEntries orders entries as upstream stores them. */
export function sortEntries<T extends { operation?: string; time?: string; manager?: string; apiVersion?: string; subresource?: string }>(entries: T[]): T[] {
  return entries.sort((p, q) => {
    if (p.operation !== q.operation) return (p.operation ?? '') < (q.operation ?? '') ? -1 : 1;
    const pt = p.time ? Date.parse(p.time) : 0;
    const qt = q.time ? Date.parse(q.time) : 0;
    if (pt !== qt) return pt - qt;
    if (p.manager !== q.manager) return (p.manager ?? '') < (q.manager ?? '') ? -1 : 1;
    if (p.apiVersion !== q.apiVersion) return (p.apiVersion ?? '') < (q.apiVersion ?? '') ? -1 : 1;
    return (p.subresource ?? '') < (q.subresource ?? '') ? -1 : (p.subresource ?? '') > (q.subresource ?? '') ? 1 : 0;
  });
}

/** rawHas tells whether a path is a member of an encoded FieldsV1 set, without decoding it. */
export function rawHas(fields: FieldsV1, path: readonly string[]): boolean {
  let node: FieldsV1 | undefined = fields;
  for (const pe of path) {
    node = node[pe];
    if (node === undefined || typeof node !== 'object' || node === null) return false;
  }
  const keys = Object.keys(node);
  return keys.length === 0 || Object.prototype.hasOwnProperty.call(node, '.');
}

/**
 * MAX_UPDATE_MANAGERS is upstream's DefaultMaxUpdateManagers: beyond it the
 * oldest Update entries are merged into an `ancient-changes` entry per API
 * version (capmanagers.go).
 */
export const MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES = 'ancient-changes';

/** capUpdateManagers merges the oldest Update managers into buckets until at most MAX_UPDATE_MANAGERS remain. */
export function capUpdateManagers(managed: Managed, max = MAX_UPDATE_MANAGERS): void {
  if (managed.size <= max) return;
  const updaters = [...managed.entries()].filter(([, e]) => e.operation === 'Update');
  if (updaters.length <= max) return;
  const seconds = (e: ManagerEntry) => (e.time ? Math.floor(Date.parse(e.time) / 1000) : 0);
  updaters.sort(([ia, a], [ib, b]) => seconds(a) - seconds(b) || (ia < ib ? -1 : ia > ib ? 1 : 0));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const [id, entry] = updaters[i];
    const bucketId = managerIdentifier({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: entry.apiVersion });
    const first = firstOfVersion.get(entry.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(entry.apiVersion, id);
      continue;
    }
    if (!managed.has(bucketId)) {
      const firstEntry = managed.get(first)!;
      managed.delete(first);
      managed.set(bucketId, { ...firstEntry, manager: ANCIENT_CHANGES, subresource: undefined, raw: firstEntry.raw });
    }
    const bucket = managed.get(bucketId)!;
    // The bucket takes the time of the newer update merged into it, as upstream.
    managed.set(bucketId, { ...bucket, set: entry.set.union(bucket.set), time: entry.time, raw: undefined });
    managed.delete(id);
    length--;
  }
}
