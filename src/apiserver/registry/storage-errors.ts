// SPDX-License-Identifier: Apache-2.0
/** The one place storage errors become API errors (Status codes and reasons as upstream's storage errors map). */
import {
  StatusError,
  conflictStaleMessage,
  newAlreadyExists,
  newConflict,
  newGone,
  newInternalError,
  newNotFound,
  newServiceUnavailable,
  type GroupResource,
} from '../../machinery/index.js';
import {
  CompactedError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  StorageError,
  StoreUnavailableError,
} from '../../storage/index.js';

/** newStoreUnavailable: the backend could not answer (etcd unreachable or without quorum): 503 with the reason. */
export function newStoreUnavailable(err: StoreUnavailableError): StatusError {
  return newServiceUnavailable(`storage is unavailable: ${err.message}`);
}

/** translateStorageError maps storage errors to API errors once, at this boundary. */
export function translateStorageError(gr: GroupResource, name: string): (err: unknown) => never {
  return (err: unknown): never => {
    if (err instanceof StatusError) throw err;
    if (err instanceof KeyExistsError) throw newAlreadyExists(gr, name);
    if (err instanceof KeyNotFoundError) throw newNotFound(gr, name);
    if (err instanceof RevisionConflictError) throw newConflict(gr, name, conflictStaleMessage);
    if (err instanceof CompactedError) throw newGone(`too old resource version: ${err.requested} (${err.compacted})`);
    if (err instanceof FutureRevisionError) {
      throw new StatusError(504, 'Timeout', `Too large resource version: ${err.requested}, current: ${err.current}`, {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
        retryAfterSeconds: 1,
      });
    }
    if (err instanceof StoreUnavailableError) throw newStoreUnavailable(err);
    if (err instanceof StorageError) throw newInternalError(err);
    throw newInternalError(err);
  };
}
