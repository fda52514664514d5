// SPDX-License-Identifier: Apache-2.0
/**
 * A data dir whose file system turns read-only under the running server,
 * as a failing disk does: the data dir is an ext4 image loop-mounted with
 * errors=remount-ro, and the test raises a file-system error through
 * /sys/fs/ext4/<dev>/trigger_fs_error, so the kernel remounts it read-only
 * exactly as after an I/O error. Writes then fail with a 5xx Status naming
 * the cause and a log line; reads keep working. ext4 will not go read-write
 * again while files of the broken mount are open, so the repair is what an
 * operator does: detach the mount, check a copy of the image with e2fsck
 * and mount it back in place. The server notices, reopens its database and
 * takes writes again without a restart; every acknowledged write is there
 * and SQLite's integrity_check passes. Needs root (mount, losetup).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { ApiClient } from '../harness/api-client.js';
import { statusProblem } from '../harness/status-check.js';
import { waitFor } from '../harness/wait-for.js';

const CM = '/api/v1/namespaces/default/configmaps';
const unavailable = process.getuid?.() !== 0 ? 'needs root to loop-mount an ext4 image'
  : !existsSync('/usr/sbin/mkfs.ext4') || !existsSync('/usr/sbin/e2fsck') ? 'needs e2fsprogs' : '';

let work = '';
let mnt = '';
let s: ServerHandle | undefined;
let c: ApiClient;

function configMap(name: string): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v: name } });
}

const create = (name: string) => c.send('POST', CM, configMap(name), { 'Content-Type': 'application/json' });
const images = () => [join(work, 'disk.img'), join(work, 'repaired.img')];

/** detachLoops frees every loop device still backed by one of this test's images. */
function detachLoops(): void {
  for (const img of images()) {
    const out = spawnSync('losetup', ['-j', img], { encoding: 'utf8' }).stdout ?? '';
    for (const dev of out.split('\n').map((l) => l.split(':')[0]).filter(Boolean)) spawnSync('losetup', ['-d', dev]);
  }
}

describe('read-only data dir', { skip: unavailable || undefined, timeout: 300_000 }, () => {
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'skiff-rodir-'));
    mnt = join(work, 'mnt');
    mkdirSync(mnt);
    execFileSync('truncate', ['-s', '192M', images()[0]!]);
    execFileSync('mkfs.ext4', ['-q', images()[0]!]);
    execFileSync('mount', ['-o', 'loop,errors=remount-ro', images()[0]!, mnt]);
    s = await startServer({ dataDir: join(mnt, 'data'), keepDataDir: true });
    c = new ApiClient(s.kubeconfig);
  });

  after(async () => {
    c?.close();
    await s?.stop();
    // The mount (lazily if something still holds it), then the loop devices, then the files.
    for (let i = 0; i < 3 && spawnSync('mountpoint', ['-q', mnt]).status === 0; i++) spawnSync('umount', i < 2 ? [mnt] : ['-l', mnt]);
    detachLoops();
    rmSync(work, { recursive: true, force: true });
  });

  it('refuses writes with a 5xx Status while the file system is read-only, serves reads, and takes writes again once it is repaired', async () => {
    for (const name of ['before-1', 'before-2']) assert.equal((await create(name)).status, 201);
    // Acknowledged writes are in the page cache (synchronous=NORMAL); syncfs puts them on the "disk" the repair copies.
    execFileSync('sync', ['-f', mnt]);
    const loop = basename(execFileSync('findmnt', ['-n', '-o', 'SOURCE', mnt], { encoding: 'utf8' }).trim());
    execFileSync('sh', ['-c', `echo 1 > /sys/fs/ext4/${loop}/trigger_fs_error`]);
    assert.match(execFileSync('findmnt', ['-n', '-o', 'OPTIONS', mnt], { encoding: 'utf8' }), /emergency_ro|(^|,)ro(,|$)/, 'the kernel made the file system read-only');

    const refused = await create('during');
    console.log(`read-only data dir: ${refused.status} ${refused.body}`);
    assert.ok(refused.status >= 500 && refused.status < 600, `expected a 5xx, got ${refused.status}: ${refused.body}`);
    assert.equal(statusProblem(refused.body, refused.status), undefined);
    assert.match(JSON.parse(refused.body).message, /read-only or failing/);
    await waitFor('the failure logged', () => /storage: writing .*state\.db failed/.test(s!.logs()), 30_000);
    // Reads keep working, and the refused write is absent.
    assert.equal((await c.send('GET', `${CM}/before-1`)).status, 200);
    const list = await c.send('GET', CM);
    assert.equal(list.status, 200);
    assert.deepEqual((JSON.parse(list.body).items as { metadata: { name: string } }[]).map((i) => i.metadata.name).filter((n) => n.startsWith('before') || n === 'during').sort(), ['before-1', 'before-2']);
    // Still refused a while later: nothing recovers on its own while the mount is broken.
    assert.ok((await create('during-2')).status >= 500);

    // The operator's repair: detach the broken mount, check a copy of the disk, mount it back in place.
    execFileSync('umount', ['-l', mnt]);
    copyFileSync(images()[0]!, images()[1]!);
    const fsck = spawnSync('e2fsck', ['-fy', images()[1]!], { encoding: 'utf8' });
    assert.ok(fsck.status === 0 || fsck.status === 1, `e2fsck: ${fsck.status} ${fsck.stdout}${fsck.stderr}`);
    execFileSync('mount', ['-o', 'loop,errors=remount-ro', images()[1]!, mnt]);

    const resumed = await waitFor('writes resume', async () => {
      const r = await create('after');
      return r.status === 201 && r;
    }, 120_000, 1000);
    assert.equal(resumed.status, 201);
    assert.match(s!.logs(), /takes writes again; reopened .*state\.db and writes resumed/);
    for (const name of ['before-1', 'before-2', 'after']) assert.equal((await c.send('GET', `${CM}/${name}`)).status, 200, name);
    assert.equal((await c.send('GET', `${CM}/during`)).status, 404);
  });

  it('leaves an intact database with every acknowledged write, across a restart', async () => {
    await s!.stop();
    s = undefined;
    const db = new Database(join(mnt, 'data', 'db', 'state.db'), { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
    s = await startServer({ dataDir: join(mnt, 'data'), keepDataDir: true });
    c.close();
    c = new ApiClient(s.kubeconfig);
    for (const name of ['before-1', 'before-2', 'after']) assert.equal((await c.send('GET', `${CM}/${name}`)).status, 200, name);
  });
});
