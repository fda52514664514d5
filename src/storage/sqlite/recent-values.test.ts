// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecentValues } from './recent-values.js';
import { SqliteStore } from './sqlite-store.js';

test('a kept value follows every committed write of its key: update, delete, create again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-recent-'));
  const store = SqliteStore.open({ path: join(dir, 'state.db'), compactIntervalMs: 0 });
  try {
    const created = await store.create('/k', 'one');
    assert.equal((await store.get('/k'))?.value, 'one');
    const updated = await store.update('/k', 'two', created.modRevision);
    const read = await store.get('/k');
    assert.deepEqual({ value: read?.value, modRevision: read?.modRevision, createRevision: read?.createRevision }, { value: 'two', modRevision: updated.modRevision, createRevision: created.modRevision });
    // Concurrent writes share one commit; the kept value is the last of them.
    const [a] = await Promise.all([store.update('/k', 'three', updated.modRevision), store.create('/other', 'x')]);
    assert.equal((await store.get('/k'))?.modRevision, a.modRevision);
    await store.delete('/k');
    assert.equal(await store.get('/k'), undefined);
    await store.create('/k', 'four');
    assert.equal((await store.get('/k'))?.value, 'four');
    // A refused write changes nothing kept.
    await assert.rejects(store.update('/k', 'stale', created.modRevision));
    assert.equal((await store.get('/k'))?.value, 'four');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kept values are bounded by their total length, oldest out first', () => {
  const recent = new RecentValues(10);
  const kv = (key: string, value: string) => ({ key, value, createRevision: 2, modRevision: 2 });
  recent.remember(kv('/a', '1234'));
  recent.remember(kv('/b', '1234'));
  recent.remember(kv('/c', '1234'));
  assert.equal(recent.get('/a'), undefined);
  assert.equal(recent.get('/b')?.value, '1234');
  assert.equal(recent.get('/c')?.value, '1234');
  // A write to a key not kept is not remembered by the write itself.
  recent.written('/d', kv('/d', 'x'));
  assert.equal(recent.get('/d'), undefined);
  recent.written('/b', undefined);
  assert.equal(recent.get('/b'), undefined);
});
