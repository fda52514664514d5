// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EtcdStore, SqliteStore, openStore } from './index.js';

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

test('openStore opens etcd for http(s) member lists and refuses unknown schemes with a clear message', async () => {
  const etcd = openStore('http://127.0.0.1:1, http://127.0.0.1:2', '/nonexistent');
  assert.ok(etcd instanceof EtcdStore);
  assert.deepEqual(etcd.endpoints, ['http://127.0.0.1:1', 'http://127.0.0.1:2']);
  await etcd.close();
  assert.throws(() => openStore('http://127.0.0.1:2379/path', '/nonexistent'), /an etcd member is http:\/\/HOST:PORT or https:\/\/HOST:PORT/);
  assert.throws(() => openStore('https://h1:2379', '/nonexistent', { caFile: '/nonexistent/ca.crt' }), /ENOENT/);
  assert.throws(() => openStore('postgres://db/skiff', '/nonexistent'), /unsupported scheme "postgres"/);
  assert.throws(() => openStore('/just/a/path', '/nonexistent'), /unsupported scheme \(none\)/);
});
