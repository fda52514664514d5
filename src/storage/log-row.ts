// SPDX-License-Identifier: Apache-2.0
/**
 * The revision log's row shape, shared by the backends that keep their own
 * log (sqlite, memory), and how a row turns into what the Store hands out.
 * The layout follows kine's single `kine` table: one row per write, the row's
 * id is the revision, a delete is a tombstone row.
 */
import type { KeyValue, StoreEvent } from './store.js';

/** LogRow is one write in the revision log. */
export interface LogRow {
  /** The revision this write took (the row id). */
  revision: number;
  key: string;
  /** True when this write created the key (no live value before it). */
  created: boolean;
  /** True for a tombstone: the key was deleted at this revision. */
  deleted: boolean;
  createRevision: number;
  /** Revision of the key's previous row (0 when none). */
  prevRevision: number;
  /** The new value; for a tombstone, the value that was deleted. */
  value: string;
}

/** kvFromRow is the KeyValue a row stands for (for a tombstone: the deleted value at the delete's revision). */
export function kvFromRow(row: LogRow): KeyValue {
  return Object.freeze({ key: row.key, value: row.value, createRevision: row.createRevision, modRevision: row.revision });
}

/**
 * eventFromRow builds the watch event of a row. Tombstones carry the deleted
 * value themselves, so a delete event is complete without reading another
 * row; a put carries the previous value when the caller has it
 * (`prevValue`), matching etcd's `WithPrevKV` that the apiserver uses.
 * The event is frozen because one instance goes to every watcher.
 */
export function eventFromRow(row: LogRow, prevValue: string | undefined): StoreEvent {
  const kv = kvFromRow(row);
  if (row.deleted) {
    const prev = Object.freeze({ key: row.key, value: row.value, createRevision: row.createRevision, modRevision: row.prevRevision });
    return Object.freeze({ type: 'delete', kv, prev });
  }
  if (row.created || prevValue === undefined) return Object.freeze({ type: 'put', kv });
  const prev = Object.freeze({ key: row.key, value: prevValue, createRevision: row.createRevision, modRevision: row.prevRevision });
  return Object.freeze({ type: 'put', kv, prev });
}
