// SPDX-License-Identifier: Apache-2.0
/**
 * openStore maps the server's `--datastore-endpoint` onto a backend, the way
 * k3s reads its datastore endpoint: empty means the embedded SQLite file in
 * the data dir. Backends are listed here explicitly; importing a backend
 * module registers nothing.
 */
import { join } from 'node:path';
import type { Store } from './store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

/** StoreTuning adjusts history compaction (how often, and how many revisions it keeps). */
export interface StoreTuning {
  compactIntervalMs?: number;
  compactRetainRevisions?: number;
}

/** defaultSqlitePath is where the embedded database lives inside a data dir. */
export function defaultSqlitePath(dataDir: string): string {
  return join(dataDir, 'db', 'state.db');
}

/**
 * openStore opens the store an endpoint names: '' or 'sqlite://' for
 * `${dataDir}/db/state.db`, 'sqlite://PATH' for a file of your choice
 * ('sqlite:///abs/path' or 'sqlite://relative/path'). Any other scheme,
 * etcd included for now, is refused with an error naming it.
 */
export function openStore(endpoint: string, dataDir: string, tuning: StoreTuning = {}): Store {
  if (endpoint === '') return SqliteStore.open({ path: defaultSqlitePath(dataDir), ...tuning });
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(endpoint)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') {
    const path = endpoint.slice('sqlite://'.length);
    return SqliteStore.open({ path: path === '' ? defaultSqlitePath(dataDir) : path, ...tuning });
  }
  if (scheme === 'etcd' || scheme === 'http' || scheme === 'https') {
    throw new Error(`datastore endpoint ${JSON.stringify(endpoint)}: etcd is not supported yet; use sqlite:// or leave it empty for the embedded database`);
  }
  throw new Error(`datastore endpoint ${JSON.stringify(endpoint)}: unsupported scheme ${scheme === undefined ? '(none)' : JSON.stringify(scheme)}; supported: sqlite://PATH, or empty for ${defaultSqlitePath(dataDir)}`);
}
