// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync, gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import {
  buildImage, busyboxImage, imageArchiveInfo, pauseBinary, pauseImage, readImageArchive, readTarMembers, writeTar,
  BUSYBOX_BINARY, PAUSE_IMAGE,
} from './index.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function members(archive: Buffer): Promise<Map<string, Buffer>> {
  return readTarMembers(Readable.from([archive]), () => true);
}

test('buildImage is deterministic and internally consistent', async () => {
  const opts = { name: 'localhost/test/app:2', files: [{ path: '/srv/a.txt', data: 'A' }, { path: 'bin/x', symlink: '/srv/a.txt' }], config: { Cmd: ['/bin/x'] } };
  const a = buildImage(opts);
  const b = buildImage(opts);
  assert.ok(a.equals(b), 'same input, same bytes');
  const m = await members(a);
  const index = JSON.parse(m.get('index.json')!.toString());
  assert.equal(index.manifests[0].annotations['io.containerd.image.name'], 'localhost/test/app:2');
  assert.equal(index.manifests[0].annotations['org.opencontainers.image.ref.name'], '2');
  const manifestBlob = m.get(`blobs/sha256/${index.manifests[0].digest.slice(7)}`)!;
  assert.equal(sha(manifestBlob), index.manifests[0].digest);
  const manifest = JSON.parse(manifestBlob.toString());
  const layer = m.get(`blobs/sha256/${manifest.layers[0].digest.slice(7)}`)!;
  assert.equal(sha(layer), manifest.layers[0].digest);
  const config = JSON.parse(m.get(`blobs/sha256/${manifest.config.digest.slice(7)}`)!.toString());
  assert.equal(config.rootfs.diff_ids[0], sha(gunzipSync(layer)), 'diff_id is the digest of the uncompressed layer');
  assert.deepEqual(config.config.Cmd, ['/bin/x']);
  assert.match(config.config.Env[0], /^PATH=/);
  const files = await members(gunzipSync(layer));
  assert.equal(files.get('srv/a.txt')?.toString(), 'A');
});

test('the layer tar is readable by GNU tar with parents, modes and symlinks', { skip: !existsSync('/usr/bin/tar') && 'no tar' }, () => {
  const long = `${'d'.repeat(90)}/${'f'.repeat(60)}.txt`;
  const tar = writeTar([
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    { type: 'file', path: long, data: Buffer.from('x'), mode: 0o600 },
    { type: 'symlink', path: 'sh', target: '/bin/busybox' },
  ]);
  const listing = execFileSync('tar', ['-tvf', '-', '--numeric-owner'], { input: tar, encoding: 'utf8' });
  assert.match(listing, /^drwxrwxrwt 0\/0 .* tmp\/$/m);
  assert.match(listing, new RegExp(`^-rw------- 0/0 .* ${long}$`, 'm'));
  assert.match(listing, /^lrwxrwxrwx 0\/0 .* sh -> \/bin\/busybox$/m);
});

test('imageArchiveInfo reads OCI and docker-archive names', async () => {
  const oci = imageArchiveInfo(Buffer.from(JSON.stringify({ manifests: [{ annotations: { 'io.containerd.image.name': 'docker.io/library/redis:7' } }] })), undefined);
  assert.deepEqual(oci, { format: 'oci', names: ['docker.io/library/redis:7'] });
  const docker = imageArchiveInfo(undefined, Buffer.from(JSON.stringify([{ RepoTags: ['nginx:1.25', 'nginx:latest'] }, { RepoTags: null }])));
  assert.deepEqual(docker, { format: 'docker', names: ['nginx:1.25', 'nginx:latest'] });
  assert.throws(() => imageArchiveInfo(undefined, undefined), /neither/);

  const dir = mkdtempSync(join(tmpdir(), 'skiff-images-test-'));
  try {
    // A gzip-compressed docker-archive with a large member before manifest.json, to exercise skipping.
    const archive = writeTar([
      { type: 'file', path: 'abc/layer.tar', data: Buffer.alloc(300_000, 7) },
      { type: 'file', path: 'manifest.json', data: Buffer.from('[{"RepoTags":["localhost/x:1"]}]') },
    ]);
    writeFileSync(join(dir, 'x.tar.gz'), gzipSync(archive));
    assert.deepEqual(await readImageArchive(join(dir, 'x.tar.gz')), { format: 'docker', names: ['localhost/x:1'] });
    writeFileSync(join(dir, 'pause.tar'), pauseImage());
    assert.deepEqual(await readImageArchive(join(dir, 'pause.tar')), { format: 'oci', names: [PAUSE_IMAGE] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pauseBinary sleeps until SIGTERM or SIGINT, then exits 0', { skip: process.arch !== 'x64' && 'x86-64 only' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-pause-test-'));
  const bin = join(dir, 'pause');
  writeFileSync(bin, pauseBinary());
  chmodSync(bin, 0o755);
  try {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const child = spawn(bin);
      const exited = new Promise<[number | null, string | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
      await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGCHLD'); // handled (reaps nothing) and keeps sleeping
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(child.exitCode, null, 'still running after SIGCHLD');
      child.kill(signal);
      assert.deepEqual(await exited, [0, null], `exit 0 on ${signal}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('busyboxImage links every applet to /bin/busybox', { skip: !existsSync(BUSYBOX_BINARY) && 'busybox-static not installed' }, async () => {
  const m = await members(busyboxImage('localhost/test/busybox:1'));
  const index = JSON.parse(m.get('index.json')!.toString());
  const manifest = JSON.parse(m.get(`blobs/sha256/${index.manifests[0].digest.slice(7)}`)!.toString());
  const layer = gunzipSync(m.get(`blobs/sha256/${manifest.layers[0].digest.slice(7)}`)!);
  const listing = execFileSync('tar', ['-tvf', '-'], { input: layer, encoding: 'utf8', maxBuffer: 1 << 24 });
  assert.match(listing, / bin\/sh -> \/bin\/busybox$/m);
  assert.match(listing, / usr\/bin\/wget -> \/bin\/busybox$/m);
  assert.match(listing, /^drwxrwxrwt .* tmp\/$/m);
  assert.match(listing, / etc\/passwd$/m);
});
