// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debianMirror, parseAptSources, DEFAULT_DEBIAN_MIRROR } from './apt-mirror.js';
import { archiveFileName, imageCacheDir, recipeHash } from './image-cache.js';
import { chrootScript } from './chroot-install.js';
import { overlayFiles, rootfsFiles } from './rootfs-files.js';
import { postgresImage, POSTGRES_ENTRYPOINT } from './postgres-image.js';
import { redisImage } from './redis-image.js';

test('parseAptSources reads one-line and deb822 sources, skipping deb-src and disabled stanzas', () => {
  const text = [
    'deb [arch=amd64] http://mirror.example/debian bookworm main',
    'deb-src http://src.example/debian bookworm main',
    '',
    'Types: deb',
    'URIs: http://deb.debian.org/debian',
    'Suites: bookworm bookworm-updates',
    'Components: main',
    '',
    'Types: deb',
    'Enabled: no',
    'URIs: http://off.example/debian',
    'Suites: bookworm',
  ].join('\n');
  assert.deepEqual(parseAptSources(text), [
    { uri: 'http://mirror.example/debian', suites: ['bookworm'] },
    { uri: 'http://deb.debian.org/debian', suites: ['bookworm', 'bookworm-updates'] },
  ]);
});

test('debianMirror takes the source carrying the suite itself, not -security', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-apt-'));
  try {
    mkdirSync(join(dir, 'sources.list.d'));
    writeFileSync(join(dir, 'sources.list.d', 'a.sources'), 'Types: deb\nURIs: http://sec.example/debian-security\nSuites: bookworm-security\n');
    writeFileSync(join(dir, 'sources.list.d', 'b.sources'), 'Types: deb\nURIs: http://local.example/debian/\nSuites: bookworm\n');
    assert.equal(debianMirror('bookworm', dir), 'http://local.example/debian');
    assert.equal(debianMirror('trixie', dir), DEFAULT_DEBIAN_MIRROR);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('cache names are stable, short and change with the recipe', () => {
  assert.equal(imageCacheDir({ SKIFF_IMAGE_CACHE: '/c' }), '/c');
  assert.equal(imageCacheDir({ HOME: '/home/u' }), '/home/u/.cache/skiff');
  assert.equal(recipeHash(redisImage()), recipeHash(redisImage()));
  assert.notEqual(recipeHash(redisImage()), recipeHash(redisImage('docker.io/library/redis:7.0')));
  assert.match(archiveFileName('docker.io/library/redis:7', 'abc'), /^redis-7-abc\.oci\.tar$/);
});

test('the chroot script isolates services, installs without recommends and strips the image', () => {
  const s = chrootScript({ packages: ['redis-server'], preInstall: "echo 'x'", setup: 'mkdir -p /data' });
  assert.match(s, /exit 101/);
  assert.match(s, /apt-get install -y -qq --no-install-recommends redis-server/);
  assert.match(s, /path-exclude \/usr\/share\/doc/);
  assert.match(s, /rm -rf "\$R"\/var\/lib\/apt\/lists\/\*/);
  assert.match(s, /chroot "\$R" \/bin\/sh -eu -c 'echo '\\''x'\\'''/, 'single quotes survive shell quoting');
  // Order: preInstall before the install, setup after it, policy-rc.d removed at the end.
  assert.ok(s.indexOf("echo '") < s.indexOf('apt-get install') && s.indexOf('apt-get install') < s.indexOf('mkdir -p /data'));
  assert.ok(s.lastIndexOf('policy-rc.d') > s.indexOf('apt-get clean'));
});

test('rootfsFiles keeps modes and symlinks, skips runtime mount points and special files, overlay replaces', () => {
  const root = mkdtempSync(join(tmpdir(), 'skiff-rootfs-'));
  try {
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    mkdirSync(join(root, 'proc/1'), { recursive: true });
    mkdirSync(join(root, 'tmp'));
    chmodSync(join(root, 'tmp'), 0o1777);
    writeFileSync(join(root, 'tmp/leftover'), 'x');
    writeFileSync(join(root, 'usr/bin/su'), 'bin');
    chmodSync(join(root, 'usr/bin/su'), 0o4755);
    symlinkSync('usr/bin', join(root, 'bin'));
    const files = rootfsFiles(root);
    const byPath = new Map(files.map((f) => [f.path, f]));
    assert.deepEqual(byPath.get('usr/bin/su'), { path: 'usr/bin/su', data: Buffer.from('bin'), mode: 0o4755 });
    assert.deepEqual(byPath.get('bin'), { path: 'bin', symlink: 'usr/bin' });
    assert.deepEqual(byPath.get('tmp'), { path: 'tmp', dir: true, mode: 0o1777 });
    assert.ok(byPath.has('proc') && !byPath.has('proc/1') && !byPath.has('tmp/leftover'));
    const merged = overlayFiles(files, [{ path: '/usr/bin/su', data: 'new', mode: 0o755 }]);
    assert.equal(merged.filter((f) => f.path.endsWith('usr/bin/su')).length, 1);
  } finally {
    rmSync(root, { recursive: true });
  }
});

test('postgres recipe: official-style entrypoint, SIGINT stop, no main cluster, PGDATA in env', () => {
  const r = postgresImage();
  assert.equal(r.config.StopSignal, 'SIGINT');
  assert.ok(r.config.Env?.includes('PGDATA=/var/lib/postgresql/data'));
  assert.match(r.preInstall ?? '', /create_main_cluster = false/);
  assert.match(POSTGRES_ENTRYPOINT, /PG_VERSION/);
  assert.match(POSTGRES_ENTRYPOINT, /POSTGRES_HOST_AUTH_METHOD/);
  assert.match(POSTGRES_ENTRYPOINT, /listen_addresses = '\*'/);
  assert.match(POSTGRES_ENTRYPOINT, /exec setpriv --reuid=postgres/);
});
