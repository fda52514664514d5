// SPDX-License-Identifier: Apache-2.0
/**
 * The SQLite file layout and connection settings of the sqlite backend.
 * One table holds the whole revision log, as in kine: the AUTOINCREMENT row
 * id is the revision, so revisions never repeat even after the newest rows
 * are compacted away or the process restarts (SQLite keeps the high-water
 * mark in sqlite_sequence).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** SqliteDatabase is a better-sqlite3 connection. */
export type SqliteDatabase = Database.Database;

const schema = `
CREATE TABLE IF NOT EXISTS log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS log_key_id_deleted ON log (key, id, deleted);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;
// The index carries `deleted` so "latest row of each key, and is it live"
// is answered from the index alone (count, list's remaining). Column notes:
// create_revision is 0 on the row that creates a key (the
// creating row's own id is its create revision, unknown before the insert);
// value comes last so scans that only test `deleted` never touch the
// overflow pages of large values.

/** compactedRevisionMeta names the meta row holding the compacted revision. */
export const compactedRevisionMeta = 'compacted_revision';

/**
 * openDatabase opens (creating if needed) the database at path with the
 * settings the store relies on, and takes the file for this process.
 */
export function openDatabase(path: string): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    inUseIfBusy(db, () => configure(db));
    db.exec(schema);
    // etcd starts a new cluster at revision 1, so the first write is 2. We do
    // the same: resourceVersion "0" means "any version" to the apiserver and
    // must never name a real state.
    db.prepare(`INSERT INTO sqlite_sequence (name, seq) SELECT 'log', 1 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'log')`).run();
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function configure(db: SqliteDatabase): void {
  // Must precede the first table of a new file; lets compaction give freed
  // pages back to the file system (a no-op on files made without it).
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('busy_timeout = 5000');
  // The store is the only user of the file: exclusive locking keeps a second
  // server on the same data dir from writing behind our cached revision. Set
  // before WAL is entered, SQLite keeps the WAL index in heap memory and
  // needs no -shm file.
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = WAL');
  // In WAL mode a commit returns once its frames are written to the WAL with
  // write(2); only checkpoints fsync. A killed process (SIGKILL, crash, OOM)
  // loses nothing acknowledged because those bytes are in the kernel's page
  // cache; only a power loss or kernel crash can drop the last commits, and
  // the database stays consistent even then. FULL would fsync every commit.
  db.pragma('synchronous = NORMAL');
  // Keep the WAL's high-water mark bounded between the truncating checkpoints
  // that compaction runs (SQLite's default autocheckpoint is 1000 pages).
  db.pragma('journal_size_limit = 8388608');
  // Take the exclusive lock now, so a second opener fails here rather than
  // at its first write.
  db.exec('BEGIN IMMEDIATE; COMMIT');
}

/** inUseIfBusy runs fn and turns SQLite's lock failure into an error naming the cause. */
function inUseIfBusy(db: SqliteDatabase, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      throw new Error(`sqlite datastore ${db.name} is in use by another process`, { cause: err });
    }
    throw err;
  }
}
