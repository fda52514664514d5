// SPDX-License-Identifier: Apache-2.0
/**
 * The SQL SqliteStore runs over its revision log: the row columns it reads,
 * the list/count/events range queries, the key-range clause, and transaction
 * control for the group commit.
 */
import { prefixEnd } from '../key-range.js';
import type { LogRow } from '../log-row.js';
import type { Transaction } from './group-commit.js';
import type { SqliteDatabase } from './sqlite-schema.js';

/** rowColumns selects a RawRow; a creating row stores create_revision 0 and is its own create revision. */
export function rowColumns(t: string): string {
  return `${t}.id, ${t}.key, ${t}.created, ${t}.deleted, CASE WHEN ${t}.created THEN ${t}.id ELSE ${t}.create_revision END, ${t}.prev_revision, ${t}.value`;
}

/** RawRow is a log row as rowColumns selects it. */
export type RawRow = [id: number, key: string, created: number, deleted: number, createRevision: number, prevRevision: number, value: string];

/** toLogRow names a RawRow's columns. */
export function toLogRow(r: RawRow): LogRow {
  return { revision: r[0], key: r[1], created: r[2] === 1, deleted: r[3] === 1, createRevision: r[4], prevRevision: r[5], value: r[6] };
}

/**
 * querySql builds the three range queries. The latest row of each key at a
 * revision comes from a GROUP BY over the (key, id, deleted) index, which
 * SQLite walks in key order, so list needs no sort and stops at its LIMIT.
 * `deleted` next to MAX(id) is read from the row holding the maximum (SQLite
 * documents this for bare columns beside a lone min/max aggregate), so
 * counting live keys never leaves the index.
 */
export function querySql(kind: 'list' | 'count' | 'events', range: string): string {
  const latest = `SELECT MAX(id) AS mid, deleted AS d FROM log WHERE ${range} AND id <= ? GROUP BY key`;
  switch (kind) {
    case 'list':
      return `SELECT l.key, l.value, CASE WHEN l.created THEN l.id ELSE l.create_revision END, l.id
        FROM (${latest}) AS m CROSS JOIN log AS l ON l.id = m.mid WHERE m.d = 0 LIMIT ?`;
    case 'count':
      return `SELECT COUNT(*) FROM (${latest}) WHERE d = 0`;
    case 'events':
      // A put's previous value is its prev row, which compaction keeps as long
      // as the put is newer than the compacted revision (it is the latest row
      // of its key at that revision).
      return `SELECT ${rowColumns('l')}, p.value
        FROM log AS l LEFT JOIN log AS p ON p.id = l.prev_revision AND l.created = 0 AND l.deleted = 0
        WHERE l.id > ? AND l.id <= ? AND ${range} ORDER BY l.id LIMIT ?`;
  }
}

/** keyRange is the SQL condition and parameters for keys under prefix (and after startAfter). */
export function keyRange(prefix: string, startAfter: string | undefined, column = 'key'): { sql: string; params: string[] } {
  const parts: string[] = [];
  const params: string[] = [];
  if (startAfter !== undefined && startAfter >= prefix) {
    parts.push(`${column} > ?`);
    params.push(startAfter);
  } else {
    parts.push(`${column} >= ?`);
    params.push(prefix);
  }
  const end = prefixEnd(prefix);
  if (end !== undefined) {
    parts.push(`${column} < ?`);
    params.push(end);
  }
  return { sql: parts.join(' AND '), params };
}

/** sqliteTransaction is the connection's transaction control, with statements prepared once. */
export function sqliteTransaction(db: SqliteDatabase): Transaction {
  const begin = db.prepare('BEGIN');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  return {
    begin: () => void begin.run(),
    commit: () => void commit.run(),
    // SQLite may already have rolled back (some I/O and full-disk errors end the transaction themselves).
    rollback: () => void (db.inTransaction && rollback.run()),
  };
}
