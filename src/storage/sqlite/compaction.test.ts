// SPDX-License-Identifier: Apache-2.0
/**
 * Sustained writes with periodic compaction keep the database file and its
 * WAL bounded, and compaction survives a restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from './sqlite-store.js';

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

const keys = 100;
const updates = 20_000;
const valueBytes = 1_000;
const retain = 200;

/**
 * The bound: after compaction the log holds about keys + retain rows plus
 * what was written since (about 100 rows between timer ticks here), each
 * under one 4 KiB page at 1 KB values, so well under 1 MB of live pages;
 * the WAL grows to SQLite's autocheckpoint of 1000 pages (~4 MB) between
 * checkpoints and journal_size_limit trims it back. 8 MB for file + WAL is
 * that with a margin, while the uncompacted log alone would be over 20 MB
 * (20,000 rows of 1 KB).
 */
const boundBytes = 8 * 1024 * 1024;

test('20,000 updates to 100 keys with compaction keep the file and WAL bounded', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-compaction-'));
  const path = join(dir, 'state.db');
  try {
    const store = SqliteStore.open({ path, compactIntervalMs: 20, compactRetainRevisions: retain });
    const revs: number[] = [];
    for (let k = 0; k < keys; k++) revs.push((await store.create(`/registry/leases/k${k}`, 'x'.repeat(valueBytes))).modRevision);
    let largest = 0;
    for (let i = 0; i < updates; i++) {
      const k = i % keys;
      revs[k] = (await store.update(`/registry/leases/k${k}`, `${i} ${'y'.repeat(valueBytes)}`, revs[k]!)).modRevision;
      if (i % 100 === 99) {
        // Let the compaction timer run, as it would between requests in a server.
        await new Promise((r) => setTimeout(r, 1));
        largest = Math.max(largest, sizeOf(path) + sizeOf(`${path}-wal`));
      }
    }
    const current = await store.currentRevision();
    const compacted = await store.compactedRevision();
    assert.ok(compacted > 0 && compacted >= current - retain - 5_000, `compaction kept up: compacted ${compacted}, current ${current}`);
    assert.ok(largest < boundBytes, `file + WAL peaked at ${largest} bytes`);
    assert.equal(await store.count('/registry/leases/'), keys);
    await store.close();
    const reopened = SqliteStore.open({ path, compactIntervalMs: 0 });
    assert.equal(await reopened.compactedRevision(), compacted);
    assert.equal((await reopened.get('/registry/leases/k7'))?.modRevision, revs[7]);
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
