// SPDX-License-Identifier: Apache-2.0
/**
 * A full disk, on a small tmpfs the test mounts (and always unmounts):
 * writes fail with a 5xx Status whose message says
 * why, the server logs it, reads keep working, the database stays intact
 * (SQLite's integrity_check after the run), and writes resume once space
 * returns or the mount is writable again. Needs root for mount(8).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { ApiClient } from '../harness/api-client.js';
import { statusProblem } from '../harness/status-check.js';

const CM = '/api/v1/namespaces/default/configmaps';
const canMount = process.getuid?.() === 0;
let dir = '';
let mounted = false;
let s: ServerHandle | undefined;
let c: ApiClient;

function configMap(name: string, kib = 1): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v: 'x'.repeat(kib * 1024) } });
}

async function create(name: string, kib = 1): Promise<{ status: number; body: string }> {
  return c.send('POST', CM, configMap(name, kib), { 'Content-Type': 'application/json' });
}

/** fill writes a filler file until the file system says ENOSPC. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

function assertWriteRefused(r: { status: number; body: string }, why: RegExp): void {
  assert.ok(r.status >= 500 && r.status < 600, `expected a 5xx, got ${r.status}: ${r.body.slice(0, 300)}`);
  assert.equal(statusProblem(r.body, r.status), undefined);
  assert.match(JSON.parse(r.body).message, why);
}

// A read-only data dir (a file system the kernel turned read-only) is readonly-data-dir.test.ts.
describe('disk full', { skip: canMount ? false : 'needs root to mount a tmpfs' }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skiff-diskfull-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', dir]);
    mounted = true;
    s = await startServer({ dataDir: join(dir, 'data'), keepDataDir: true });
    c = new ApiClient(s.kubeconfig);
  });
  after(async () => {
    c?.close();
    await s?.stop();
    if (mounted) execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses writes with a 5xx Status while the disk is full, serves reads, and resumes when space returns', async () => {
    assert.equal((await create('before')).status, 201);
    fill(join(dir, 'filler'));
    let refused: { status: number; body: string } | undefined;
    for (let i = 0; i < 200 && !refused; i++) {
      const r = await create(`full-${i}`, 64);
      if (r.status !== 201) refused = r;
    }
    assert.ok(refused, 'no write failed on a full disk');
    console.log(`disk full: ${refused.status} ${refused.body}`);
    assertWriteRefused(refused, /space|full/i);
    assert.match(s!.logs(), /(space|full)/i);
    // Reads keep working.
    const got = await c.send('GET', `${CM}/before`);
    assert.equal(got.status, 200, got.body);
    assert.equal((await c.send('GET', CM)).status, 200);
    rmSync(join(dir, 'filler'));
    const resumed = await create('after-full');
    assert.equal(resumed.status, 201, resumed.body);
  });

  it('leaves an intact database with every acknowledged write', async () => {
    await s!.stop();
    s = undefined;
    const db = new Database(join(dir, 'data', 'db', 'state.db'), { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
    s = await startServer({ dataDir: join(dir, 'data'), keepDataDir: true });
    c.close();
    c = new ApiClient(s.kubeconfig);
    for (const name of ['before', 'after-full']) assert.equal((await c.send('GET', `${CM}/${name}`)).status, 200, name);
  });
});
