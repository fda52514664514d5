// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore, openStore } from './index.js';

test('openStore picks sqlite for an empty endpoint and for sqlite:// URLs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-open-'));
  try {
    const byDefault = openStore('', dir);
    assert.ok(byDefault instanceof SqliteStore);
    await byDefault.create('/k', '{}');
    await byDefault.close();
    assert.ok(existsSync(join(dir, 'db', 'state.db')));
    const explicit = openStore(`sqlite://${join(dir, 'other', 'x.db')}`, dir);
    await explicit.close();
    assert.ok(existsSync(join(dir, 'other', 'x.db')));
    const reopened = openStore('sqlite://', dir);
    assert.equal((await reopened.get('/k'))?.value, '{}');
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('openStore refuses etcd (for now) and unknown schemes with a clear message', () => {
  assert.throws(() => openStore('etcd://127.0.0.1:2379', '/nonexistent'), /etcd is not supported yet/);
  assert.throws(() => openStore('postgres://db/skiff', '/nonexistent'), /unsupported scheme "postgres"/);
  assert.throws(() => openStore('/just/a/path', '/nonexistent'), /unsupported scheme \(none\)/);
});
