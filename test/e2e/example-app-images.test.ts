// SPDX-License-Identifier: Apache-2.0
/**
 * The fibonacci example's images on their own, without a cluster: each
 * archive is unpacked and its configured entrypoint run in a chroot in a
 * private mount namespace (/proc and a private /dev, host network on
 * 127.0.0.1), as a runtime would. The Redis and Postgres images serve the
 * real server and worker images; submitting index 7 yields 13, and the
 * history is still there after Postgres stops with its stop signal and
 * starts again on the same PGDATA. Also: the Postgres entrypoint refuses to
 * initialise without a password, as the official image does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildExampleImages, FIB_APP_IMAGES } from '../../scripts/build-example-images.js';
import { POSTGRES_IMAGE, REDIS_IMAGE, type BuiltImage } from '../../src/images/debian/index.js';

function unavailable(): string {
  if (process.getuid?.() !== 0) return 'needs root (chroot, mounts, debootstrap)';
  for (const bin of ['/usr/sbin/debootstrap', '/usr/bin/unshare', '/usr/sbin/chroot', '/usr/bin/tar']) {
    if (!existsSync(bin)) return `${bin} not installed`;
  }
  return '';
}
const skip = unavailable();

interface UnpackedImage {
  root: string;
  entrypoint: string[];
  cmd: string[];
  env: string[];
}

/** unpack extracts an OCI archive's single layer and reads its runtime config. */
function unpack(archive: string, into: string): UnpackedImage {
  const oci = join(into, 'oci');
  const root = join(into, 'rootfs');
  mkdirSync(oci, { recursive: true });
  mkdirSync(root);
  execFileSync('tar', ['-xf', archive, '-C', oci]);
  const blob = (digest: string) => join(oci, 'blobs', 'sha256', digest.replace('sha256:', ''));
  const index = JSON.parse(readFileSync(join(oci, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0].digest), 'utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  for (const l of manifest.layers) execFileSync('tar', ['-xzf', blob(l.digest), '-C', root, '--numeric-owner']);
  const { config } = JSON.parse(readFileSync(blob(manifest.config.digest), 'utf8')) as { config: { Entrypoint?: string[]; Cmd?: string[]; Env?: string[] } };
  rmSync(oci, { recursive: true });
  return { root, entrypoint: config.Entrypoint ?? [], cmd: config.Cmd ?? [], env: config.Env ?? [] };
}

// Like a runtime: a private mount namespace with /proc and a /dev of the usual devices, then chroot.
const CONTAINER_SH = [
  'set -e; R="$1"; shift',
  'mount -t proc proc "$R/proc"',
  'mount -t tmpfs -o mode=755 tmpfs "$R/dev"',
  'for d in null zero full random urandom tty; do touch "$R/dev/$d"; mount --bind "/dev/$d" "$R/dev/$d"; done',
  'mkdir -p "$R/dev/shm" && mount -t tmpfs tmpfs "$R/dev/shm"',
  'exec /usr/sbin/chroot "$R" "$@"',
].join('\n');

class Container {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<number | null>;
  constructor(image: UnpackedImage, env: Record<string, string>, args?: string[]) {
    const argv = [...image.entrypoint, ...(args ?? image.cmd)];
    const envp = Object.fromEntries([...image.env, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)].map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    this.child = spawn('unshare', ['-m', '--propagation', 'private', '/bin/sh', '-c', CONTAINER_SH, 'container', image.root, ...argv], { env: envp, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((r) => this.child.on('exit', (code) => r(code)));
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, logs?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}${logs ? `\n${logs()}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const listening = (port: number) => new Promise<boolean>((resolve) => {
  const s = connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
  s.on('error', () => resolve(false));
});

describe('fibonacci example images, standalone', { skip: skip || undefined, timeout: 900_000 }, () => {
  let work: string;
  const images = new Map<string, UnpackedImage>();
  const running: Container[] = [];
  const run = (name: string, env: Record<string, string>, args?: string[]) => {
    const c = new Container(images.get(name)!, env, args);
    running.push(c);
    return c;
  };

  before(async () => {
    const built: BuiltImage[] = await buildExampleImages();
    for (const b of built) process.stderr.write(`# ${b.name}: ${(b.bytes / 2 ** 20).toFixed(1)} MiB, ${b.cached ? 'cached' : `built in ${(b.buildMs / 1000).toFixed(1)} s`}\n`);
    work = mkdtempSync(join(tmpdir(), 'skiff-fib-images-'));
    for (const b of built) images.set(b.name, unpack(b.archivePath, join(work, b.name.replace(/[^a-z0-9]+/g, '-'))));
  });

  after(async () => {
    await Promise.all(running.map((c) => c.stop('SIGKILL')));
    // Mounts live in the containers' own namespaces; never delete while one is still visible here.
    if (work && !readFileSync('/proc/mounts', 'utf8').includes(work)) rmSync(work, { recursive: true, force: true });
  });

  it('postgres refuses to initialise an empty PGDATA without a password', async () => {
    const c = run(POSTGRES_IMAGE, { PGDATA: '/var/lib/postgresql/nopass' });
    assert.equal(await c.exited, 1, c.output);
    assert.match(c.output, /superuser password is not specified/);
  });

  it('server and worker images compute fib(7) = 13 through redis and postgres; the history survives a postgres restart', async () => {
    const [redisPort, pgPort, apiPort, webPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const redis = run(REDIS_IMAGE, {}, ['--bind', '127.0.0.1', '--port', String(redisPort), '--protected-mode', 'no', '--save', '']);
    // PGDATA starts root-owned and empty, like a fresh volume's subPath: the entrypoint must take it over.
    const pgArgs = ['postgres', '-p', String(pgPort), '-c', 'listen_addresses=127.0.0.1'];
    let postgres = run(POSTGRES_IMAGE, { POSTGRES_PASSWORD: 's3cret pw' }, pgArgs);
    await waitFor('redis', () => listening(redisPort), 30_000, () => redis.output);
    await waitFor('postgres', () => listening(pgPort), 60_000, () => postgres.output);
    assert.match(postgres.output, /init process complete/);
    const appEnv = { REDIS_HOST: '127.0.0.1', REDIS_PORT: String(redisPort) };
    const api = run(FIB_APP_IMAGES.server, { ...appEnv, PORT: String(apiPort), PGHOST: '127.0.0.1', PGPORT: String(pgPort), PGUSER: 'postgres', PGDATABASE: 'postgres', PGPASSWORD: 's3cret pw' });
    const worker = run(FIB_APP_IMAGES.worker, appEnv);
    const web = run(FIB_APP_IMAGES.client, { PORT: String(webPort) });
    const logs = () => [redis, postgres, api, worker, web].map((c) => c.output).join('\n---\n');
    await waitFor('the worker subscribed', async () => /subscribed to insert/.test(worker.output), 20_000, logs);
    await waitFor('the api', () => listening(apiPort), 20_000, logs);

    const url = (p: string) => `http://127.0.0.1:${apiPort}${p}`;
    const post = await fetch(url('/values'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"index":"7"}' });
    assert.equal(post.status, 200, await post.clone().text());
    assert.deepEqual(await post.json(), { working: true });
    await waitFor('fib(7) in redis', async () => ((await (await fetch(url('/values/current'))).json()) as Record<string, string>)['7'] === '13', 10_000, logs);
    assert.deepEqual(await (await fetch(url('/values/all'))).json(), [{ number: 7 }]);
    assert.equal((await fetch(url('/values'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"index":41}' })).status, 422);

    // Postgres stops on its image's stop signal (SIGINT: fast shutdown) and starts again on the same data.
    assert.equal(await postgres.stop('SIGINT'), 0, postgres.output);
    postgres = run(POSTGRES_IMAGE, { POSTGRES_PASSWORD: 's3cret pw' }, pgArgs);
    await waitFor('postgres again', () => listening(pgPort), 60_000, () => postgres.output);
    assert.doesNotMatch(postgres.output, /init process complete/, 'the second start must reuse PGDATA');
    // The api's old connection died with the server: the next query reconnects (one may fail while it does).
    const all = await waitFor('history after restart', async () => {
      const res = await fetch(url('/values/all'));
      return res.ok ? (await res.json()) as unknown : undefined;
    }, 20_000, logs);
    assert.deepEqual(all, [{ number: 7 }]);

    const page = await (await fetch(`http://127.0.0.1:${webPort}/`)).text();
    assert.match(page, /Indexes I have seen/);
    assert.match(page, /id="index"/);
  });
});
