// SPDX-License-Identifier: Apache-2.0
/**
 * SqliteConnection is one open database with the statements SqliteStore
 * prepares on it. The store holds one at a time and replaces it when the
 * data dir comes back after a read-only or failing file system
 * (write-failures.ts), so everything bound to a connection lives here.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { compactedRevisionMeta, openDatabase, type SqliteDatabase } from './sqlite-schema.js';
import { rowColumns, sqliteTransaction, type RawRow } from './sqlite-queries.js';
import type { Transaction } from './group-commit.js';

export class SqliteConnection {
  readonly db: SqliteDatabase;
  readonly latest: BetterSqlite3.Statement<[string], RawRow>;
  readonly insert: BetterSqlite3.Statement<[string, number, number, number, number, string]>;
  /** statements caches the range queries by shape. */
  readonly statements = new Map<string, BetterSqlite3.Statement<unknown[], unknown[]>>();
  readonly tx: Transaction;

  constructor(db: SqliteDatabase) {
    this.db = db;
    this.latest = db.prepare<[string], RawRow>(`SELECT ${rowColumns('log')} FROM log WHERE key = ? ORDER BY id DESC LIMIT 1`).raw();
    this.insert = db.prepare('INSERT INTO log (key, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?)');
    this.tx = sqliteTransaction(db);
  }

  /** open opens (creating if needed) the database at path. */
  static open(path: string): SqliteConnection {
    return new SqliteConnection(openDatabase(path));
  }

  /** revision is the newest revision ever written (SQLite keeps it in sqlite_sequence, so it survives compaction). */
  revision(): number {
    return (this.db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'log'`).pluck().get() as number | undefined) ?? 1;
  }

  /** compacted is the compacted revision persisted by the last compaction. */
  compacted(): number {
    return (this.db.prepare('SELECT value FROM meta WHERE name = ?').pluck().get(compactedRevisionMeta) as number | undefined) ?? 0;
  }

  /** close closes the database; a failure (its final checkpoint on a read-only file system) is not the caller's concern. */
  close(): void {
    try {
      this.db.close();
    } catch {
      // The WAL left behind is replayed by the next open.
    }
  }
}
