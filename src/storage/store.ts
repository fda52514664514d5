// SPDX-License-Identifier: Apache-2.0
/**
 * Store is the one interface between the apiserver and a storage backend
 * (embedded SQLite by default, etcd later). It deals in keys and opaque
 * values (JSON text of an object without its resourceVersion); the revision
 * of the write that produced a value is its resourceVersion.
 *
 * Semantics every backend keeps (checked by store.suite.ts):
 * - Revisions are a single cluster-wide counter that only grows, across
 *   restarts too. Every create, update and delete takes the next revision.
 *   A fresh store is at revision 1 (its first write is 2), as etcd, so that
 *   resourceVersion "0" ("any") never names a real state.
 * - create fails with KeyExistsError when the key is live; update and delete
 *   with an expected revision fail with RevisionConflictError when the key's
 *   current modRevision differs, and with KeyNotFoundError when it is absent.
 * - list returns keys in lexical order, at one consistent revision, and pages
 *   with limit/continue at the revision of the first page.
 * - watch delivers every event after `fromRevision` in revision order, and
 *   ends with CompactedError when that revision is older than the compacted
 *   one (reading at exactly the compacted revision works); compact of a
 *   revision newer than the current one throws FutureRevisionError.
 *   A watcher that cannot keep up is ended (never silently skipped) so the
 *   client re-lists.
 */

/** KeyValue is one stored object version. */
export interface KeyValue {
  key: string;
  /** JSON text of the object (without metadata.resourceVersion). */
  value: string;
  /** Revision of the write that created this key (stays the same across updates). */
  createRevision: number;
  /** Revision of the write that produced this value. */
  modRevision: number;
}

export interface ListOptions {
  /** Keys starting with this prefix are returned (prefix is usually a directory ending in '/'). */
  prefix: string;
  /** At most this many items (0 or absent: no limit). */
  limit?: number;
  /** Resume after this key (exclusive), as returned in `ListResult.continueAfter`. */
  startAfter?: string;
  /** Read as of this revision (0 or absent: the current revision). Older than the compacted revision: CompactedError. */
  revision?: number;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** Set when more items remain: the last key returned, to pass as `startAfter`. */
  continueAfter?: string;
  /** How many matching keys remain after this page, when the backend knows it cheaply. */
  remaining?: number;
}

/** StoreEvent is a change to one key, in revision order. */
export type StoreEvent =
  | { type: 'put'; kv: KeyValue; prev?: KeyValue }
  | { type: 'delete'; kv: KeyValue; prev: KeyValue }
  /** progress says nothing changed under the prefix up to `revision` (drives watch bookmarks). */
  | { type: 'progress'; revision: number };

export interface WatchOptions {
  prefix: string;
  /** Deliver events with a revision strictly greater than this. */
  afterRevision: number;
  signal: AbortSignal;
}

export interface Store {
  /** get returns the live value at key, or undefined. */
  get(key: string): Promise<KeyValue | undefined>;
  list(opts: ListOptions): Promise<ListResult>;
  /** count returns how many live keys start with prefix. */
  count(prefix: string): Promise<number>;
  /** create writes a new key; KeyExistsError if it is live. Returns the stored KeyValue. */
  create(key: string, value: string): Promise<KeyValue>;
  /**
   * update replaces a live key's value if its modRevision equals expectedRevision
   * (RevisionConflictError otherwise, KeyNotFoundError if absent).
   */
  update(key: string, value: string, expectedRevision: number): Promise<KeyValue>;
  /** delete removes a live key, checking expectedRevision when given. Returns the deleted KeyValue (with the delete's revision as modRevision). */
  delete(key: string, expectedRevision?: number): Promise<KeyValue>;
  /** watch streams changes under prefix after a revision. The iterator ends when the signal aborts; it throws CompactedError or WatcherTooSlowError. */
  watch(opts: WatchOptions): AsyncIterable<StoreEvent>;
  /** currentRevision is the revision of the latest write. */
  currentRevision(): Promise<number>;
  /** compactedRevision is the oldest revision still readable by watch/list-at-revision. */
  compactedRevision(): Promise<number>;
  /** compact drops history older than revision (keeping every live key's latest value). */
  compact(revision: number): Promise<void>;
  /**
   * checkHealth resolves when the backend can serve a write now (for /readyz):
   * an embedded file always can; etcd must answer a quorum read in time.
   * It throws StoreUnavailableError otherwise.
   */
  checkHealth(): Promise<void>;
  /** close releases the backend; pending watches end. */
  close(): Promise<void>;
}
