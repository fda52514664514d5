// SPDX-License-Identifier: Apache-2.0
/**
 * Storage errors. Drivers translate their native failures into these once
 * (a SQLite constraint violation becomes KeyExistsError); the apiserver
 * translates these into Kubernetes Status errors once. Codes are never reused.
 */

export class StorageError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** KeyExistsError: create of a key that is live. */
export class KeyExistsError extends StorageError {
  constructor(readonly key: string) {
    super('ERR_STORAGE_KEY_EXISTS', `key exists: ${key}`);
  }
}

/** KeyNotFoundError: update or delete of a key that is not live. */
export class KeyNotFoundError extends StorageError {
  constructor(readonly key: string) {
    super('ERR_STORAGE_KEY_NOT_FOUND', `key not found: ${key}`);
  }
}

/** RevisionConflictError: the key's modRevision is not the expected one. */
export class RevisionConflictError extends StorageError {
  constructor(readonly key: string, readonly expected: number, readonly actual: number) {
    super('ERR_STORAGE_REVISION_CONFLICT', `revision conflict on ${key}: expected ${expected}, have ${actual}`);
  }
}

/** CompactedError: the requested revision is older than the compacted revision. */
export class CompactedError extends StorageError {
  constructor(readonly requested: number, readonly compacted: number) {
    super('ERR_STORAGE_COMPACTED', `required revision ${requested} has been compacted (oldest available ${compacted})`);
  }
}

/** FutureRevisionError: a read asked for a revision not yet written. */
export class FutureRevisionError extends StorageError {
  constructor(readonly requested: number, readonly current: number) {
    super('ERR_STORAGE_FUTURE_REVISION', `requested revision ${requested} is newer than the current revision ${current}`);
  }
}

/** WatcherTooSlowError: the watcher fell too far behind and was ended so it re-lists. */
export class WatcherTooSlowError extends StorageError {
  constructor() {
    super('ERR_STORAGE_WATCHER_TOO_SLOW', 'watcher fell behind and was closed; re-list and watch again');
  }
}

/**
 * StoreUnavailableError: the backend did not answer in time or has no quorum
 * (an unreachable etcd). A write that timed out may still be applied by
 * etcd later, exactly once (every write is a compare-and-swap transaction).
 */
export class StoreUnavailableError extends StorageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_STORAGE_UNAVAILABLE', message, options);
  }
}

/**
 * StoreWriteFailedError: the backend could not write (a full disk, a
 * read-only or failing file system); nothing of the write was applied.
 * The apiserver answers it with a 500 carrying the message, as upstream
 * does for etcd's "mvcc: database space exceeded".
 */
export class StoreWriteFailedError extends StorageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_STORAGE_WRITE_FAILED', message, options);
  }
}

/** StoreClosedError: the store is closed. */
export class StoreClosedError extends StorageError {
  constructor() {
    super('ERR_STORAGE_CLOSED', 'store is closed');
  }
}
