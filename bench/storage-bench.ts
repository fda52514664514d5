// SPDX-License-Identifier: Apache-2.0
/**
 * Storage benchmark: the sqlite Store against raw better-sqlite3 doing the
 * same SQLite work in the same run, so the printed ratios show what the
 * Store's bookkeeping (revision log, checks, watch events) costs on this
 * machine. Run: `node dist/bench/storage-bench.js` (about 20 s).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { SqliteStore } from '../src/storage/index.js';

const listObjects = 10_000;
const churnKeys = 100;
const churnUpdates = 100_000;

/** objectJson is a plausible ~`bytes`-long object body. */
function objectJson(name: string, bytes: number): string {
  const head = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { k: '' } });
  return head.replace('"k":""', `"k":"${'v'.repeat(Math.max(0, bytes - head.length))}"`);
}

function fileBytes(path: string): number {
  let total = 0;
  for (const p of [path, `${path}-wal`]) {
    try {
      total += statSync(p).size;
    } catch {
      // absent WAL: zero bytes
    }
  }
  return total;
}

/** openRaw opens a plain better-sqlite3 database with the Store's settings and a table shaped like its log. */
function openRaw(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE log (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, created INTEGER NOT NULL,
    deleted INTEGER NOT NULL, create_revision INTEGER NOT NULL, prev_revision INTEGER NOT NULL, value TEXT NOT NULL);
    CREATE INDEX log_key_id_deleted ON log (key, id, deleted);`);
  return db;
}

async function timeMs(fn: () => Promise<void> | void): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function benchCreates(dir: string): Promise<Record<string, number>> {
  const body = objectJson('x', 1_000);
  const store = SqliteStore.open({ path: join(dir, 'creates.db'), compactIntervalMs: 0 });
  const storeMs = await timeMs(async () => {
    for (let i = 0; i < 1000; i++) await store.create(`/registry/configmaps/default/c${i}`, body);
  });
  await store.close();
  const db = openRaw(join(dir, 'creates-raw.db'));
  const insert = db.prepare('INSERT INTO log (key, created, deleted, create_revision, prev_revision, value) VALUES (?, 1, 0, 0, 0, ?)');
  const rawMs = await timeMs(() => {
    for (let i = 0; i < 1000; i++) insert.run(`/registry/configmaps/default/c${i}`, body);
  });
  db.close();
  return { createsMs: storeMs, createsRawMs: rawMs };
}

async function benchList(dir: string): Promise<Record<string, number>> {
  const body = objectJson('x', 2_048);
  const store = SqliteStore.open({ path: join(dir, 'list.db'), compactIntervalMs: 0 });
  for (let i = 0; i < listObjects; i++) await store.create(`/registry/pods/default/p${String(i).padStart(5, '0')}`, body);
  await store.create('/registry/podsx/default/outside', body);
  await store.list({ prefix: '/registry/pods/' }); // warm the page cache, as a running server would be
  let listMs = Infinity;
  for (let r = 0; r < 5; r++) {
    listMs = Math.min(listMs, await timeMs(async () => void (await store.list({ prefix: '/registry/pods/' }))));
  }
  await store.close();
  const db = openRaw(join(dir, 'list-raw.db'));
  const insert = db.prepare('INSERT INTO log (key, created, deleted, create_revision, prev_revision, value) VALUES (?, 1, 0, 0, 0, ?)');
  db.transaction(() => {
    for (let i = 0; i < listObjects; i++) insert.run(`/registry/pods/default/p${String(i).padStart(5, '0')}`, body);
  })();
  const select = db.prepare('SELECT key, value, id FROM log WHERE key >= ? AND key < ? ORDER BY key').raw();
  select.all('/registry/pods/', '/registry/pods0');
  let rawMs = Infinity;
  for (let r = 0; r < 5; r++) rawMs = Math.min(rawMs, await timeMs(() => void select.all('/registry/pods/', '/registry/pods0')));
  db.close();
  return { list10kMs: listMs, list10kRawMs: rawMs };
}

async function benchChurn(dir: string): Promise<Record<string, number>> {
  const body = objectJson('x', 1_000);
  const path = join(dir, 'churn.db');
  const store = SqliteStore.open({ path, compactIntervalMs: 100, compactRetainRevisions: 1000 });
  const revs: number[] = [];
  for (let k = 0; k < churnKeys; k++) revs.push((await store.create(`/registry/leases/l${k}`, body)).modRevision);
  let peak = 0;
  const churnMs = await timeMs(async () => {
    for (let i = 0; i < churnUpdates; i++) {
      const k = i % churnKeys;
      revs[k] = (await store.update(`/registry/leases/l${k}`, body, revs[k]!)).modRevision;
      if (i % 200 === 199) {
        await new Promise((r) => setImmediate(r)); // let the compaction timer in, as between requests
        peak = Math.max(peak, fileBytes(path));
      }
    }
  });
  const bytes = fileBytes(path);
  await store.close();
  // Baseline: the same rows appended by raw inserts, with no checks, events or compaction.
  const rawPath = join(dir, 'churn-raw.db');
  const db = openRaw(rawPath);
  const insert = db.prepare('INSERT INTO log (key, created, deleted, create_revision, prev_revision, value) VALUES (?, 0, 0, 1, 1, ?)');
  const rawChurnMs = await timeMs(() => {
    for (let i = 0; i < churnUpdates; i++) insert.run(`/registry/leases/l${i % churnKeys}`, body);
  });
  const rawBytes = fileBytes(rawPath);
  db.close();
  return { churnMs, churnRawMs: rawChurnMs, churnBytes: bytes, churnPeakBytes: peak, churnRawBytes: rawBytes };
}

/** runStorageBench measures the sqlite Store and its raw better-sqlite3 baselines, prints them, and returns every figure. */
export async function runStorageBench(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-storage-bench-'));
  try {
    const r = { ...(await benchCreates(dir)), ...(await benchList(dir)), ...(await benchChurn(dir)) };
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
    console.log('storage (sqlite Store vs raw better-sqlite3, same pragmas)');
    console.log(`  1000 sequential creates (1 KB): ${r.createsMs.toFixed(1)} ms vs raw inserts ${r.createsRawMs.toFixed(1)} ms  (x${(r.createsMs / r.createsRawMs).toFixed(2)})`);
    console.log(`  list 10,000 objects (2 KB):     ${r.list10kMs.toFixed(1)} ms vs raw select ${r.list10kRawMs.toFixed(1)} ms  (x${(r.list10kMs / r.list10kRawMs).toFixed(2)})`);
    console.log(`  ${churnUpdates} updates to ${churnKeys} objects (1 KB), compacting: ${r.churnMs.toFixed(0)} ms vs raw inserts ${r.churnRawMs.toFixed(0)} ms  (x${(r.churnMs / r.churnRawMs).toFixed(2)})`);
    console.log(`    db+WAL: ${mb(r.churnBytes)} at the end, ${mb(r.churnPeakBytes)} at peak, vs raw uncompacted ${mb(r.churnRawBytes)}  (x${(r.churnBytes / r.churnRawBytes).toFixed(3)})`);
    return r;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runStorageBench();
}
