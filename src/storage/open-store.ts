// SPDX-License-Identifier: Apache-2.0
/**
 * openStore maps the server's `--datastore-endpoint` onto a backend, the way
 * k3s reads its datastore endpoint: empty means the embedded SQLite file in
 * the data dir; `http(s)://host:2379[,http(s)://host2:2379...]` is an etcd
 * cluster (with `--datastore-cafile/-certfile/-keyfile` for TLS). Backends
 * are listed here explicitly; importing a backend module registers nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from './store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import { EtcdStore } from './etcd/etcd-store.js';

/** StoreTuning adjusts history compaction (how often, and how many revisions it keeps). */
export interface StoreTuning {
  compactIntervalMs?: number;
  compactRetainRevisions?: number;
}

/** DatastoreOptions is everything besides the endpoint that opening a backend may need. */
export interface DatastoreOptions extends StoreTuning {
  /** PEM files for https:// etcd endpoints (k3s's --datastore-cafile, --datastore-certfile, --datastore-keyfile). */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Deadline of one etcd request before it fails as unavailable (default 10 s). */
  requestTimeoutMs?: number;
  log?: (msg: string) => void;
}

/** defaultSqlitePath is where the embedded database lives inside a data dir. */
export function defaultSqlitePath(dataDir: string): string {
  return join(dataDir, 'db', 'state.db');
}

/**
 * openStore opens the store an endpoint names: '' or 'sqlite://' for
 * `${dataDir}/db/state.db`, 'sqlite://PATH' for a file of your choice
 * ('sqlite:///abs/path' or 'sqlite://relative/path'), and a comma-separated
 * list of http:// or https:// URLs for the members of an etcd cluster. Any
 * other scheme is refused with an error naming it.
 */
export function openStore(endpoint: string, dataDir: string, opts: DatastoreOptions = {}): Store {
  const tuning: StoreTuning = { compactIntervalMs: opts.compactIntervalMs, compactRetainRevisions: opts.compactRetainRevisions };
  if (endpoint === '') return SqliteStore.open({ path: defaultSqlitePath(dataDir), ...tuning, log: opts.log });
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(endpoint)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') {
    const path = endpoint.slice('sqlite://'.length);
    return SqliteStore.open({ path: path === '' ? defaultSqlitePath(dataDir) : path, ...tuning, log: opts.log });
  }
  if (scheme === 'http' || scheme === 'https') {
    const endpoints = endpoint.split(',').map((e) => e.trim()).filter((e) => e !== '');
    const bad = endpoints.find((e) => !/^https?:\/\/[^/]+\/?$/i.test(e));
    if (bad) throw new Error(`datastore endpoint ${JSON.stringify(bad)}: an etcd member is http://HOST:PORT or https://HOST:PORT, and several are separated by commas`);
    const read = (file: string | undefined) => (file ? readFileSync(file) : undefined);
    return EtcdStore.open({
      endpoints,
      tls: { ca: read(opts.caFile), cert: read(opts.certFile), key: read(opts.keyFile) },
      requestTimeoutMs: opts.requestTimeoutMs,
      ...tuning,
      log: opts.log,
    });
  }
  throw new Error(`datastore endpoint ${JSON.stringify(endpoint)}: unsupported scheme ${scheme === undefined ? '(none)' : JSON.stringify(scheme)}; supported: https://HOST:2379,... for etcd, sqlite://PATH, or empty for ${defaultSqlitePath(dataDir)}`);
}
