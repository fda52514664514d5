// SPDX-License-Identifier: Apache-2.0
/**
 * The storage component: the Store interface the apiserver writes through,
 * its backends (embedded SQLite, etcd v3, in-memory for tests), the
 * storage errors, and openStore, which picks a backend from the server's
 * datastore endpoint. Other components import only this module.
 */
export type { KeyValue, ListOptions, ListResult, Store, StoreEvent, WatchOptions } from './store.js';
export {
  CompactedError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  StorageError,
  StoreClosedError,
  StoreUnavailableError,
  StoreWriteFailedError,
  WatcherTooSlowError,
} from './errors.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
export { MemoryStore, type MemoryStoreOptions } from './memory/memory-store.js';
export type { WatchBroadcasterOptions } from './watch-broadcaster.js';
export { defaultSqlitePath, openStore, type DatastoreOptions, type StoreTuning } from './open-store.js';
export { EtcdStore, type EtcdStoreOptions } from './etcd/etcd-store.js';
export { EtcdClient, type EtcdTLS, type EtcdClientOptions } from './etcd/etcd-client.js';
export { saveEtcdSnapshot } from './etcd/etcd-snapshot.js';
