// SPDX-License-Identifier: Apache-2.0
/**
 * The supervisor with a real nginx on loopback: restart after a crash,
 * graceful reload, a stale master from a killed Skiff ended on start, and
 * nothing left running after stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NginxDataPlane, readDataPlaneState } from './nginx-data-plane.js';
import { childrenOf } from './nginx-supervisor.js';
import { RouteTable } from './route-table.js';
import { TLSStore } from './tls-store.js';
import { selfSignedCertificate } from './default-certificate.js';
import { skipWithoutNginx } from './nginx-test-support.js';

const skip = skipWithoutNginx;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** processesIn lists live processes whose command line mentions dir, or that belong to one of the process groups. */
function processesIn(dir: string, groups: number[]): number[] {
  const out: number[] = [];
  for (const entry of execFileSync('ps', ['-eo', 'pid=,pgid=,args=']).toString().split('\n')) {
    const [pid, pgid, ...args] = entry.trim().split(/\s+/);
    if (pid && (args.join(' ').includes(dir) || groups.includes(Number(pgid)))) out.push(Number(pid));
  }
  return out.filter((p) => p !== process.pid);
}

function status(port: number): Promise<number> {
  return new Promise((resolve) => {
    get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', () => resolve(0));
  });
}

async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function withPlane(fn: (plane: NginxDataPlane, dir: string, tls: TLSStore) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-nginx-sup-'));
  const plane = new NginxDataPlane({ dir, httpPort: 0, httpsPort: 0, bindAddress: '127.0.0.1', workerProcesses: 2 });
  const groups: number[] = [];
  try {
    const tls = new TLSStore(await selfSignedCertificate());
    await plane.start(new RouteTable(new Map(), new Map()), tls);
    groups.push(plane.supervisor.pid!);
    await fn(plane, dir, tls);
  } finally {
    if (plane.supervisor.pid) groups.push(plane.supervisor.pid);
    await plane.stop();
    // Nothing of this nginx survives stop: no master, no worker (they stay in the master's process group).
    assert.deepEqual(processesIn(dir, groups), []);
    rmSync(dir, { recursive: true, force: true });
  }
}

test('nginx is restarted after a crash and serves again; its state shows in status.json', { skip }, async () => {
  await withPlane(async (plane, dir) => {
    assert.equal(await status(plane.httpPort), 404);
    const first = plane.supervisor.pid!;
    const workers = childrenOf(first);
    assert.equal(workers.length, 2);
    process.kill(first, 'SIGKILL');
    await until('a new master', () => plane.supervisor.pid !== undefined && plane.supervisor.pid !== first);
    await until('the new master serving', async () => (await status(plane.httpPort)) === 404);
    assert.equal(plane.supervisor.restarts, 1);
    // The killed master's workers were ended with it (they would hold the port otherwise).
    await until('old workers gone', () => workers.every((w) => !alive(w)));
    const state = readDataPlaneState(dir)!;
    assert.equal(state.running, true);
    assert.equal(state.pid, plane.supervisor.pid);
    assert.equal(state.conditions[0].type, 'ConfigurationApplied');
    assert.equal(state.conditions[0].reason, 'NginxExited');
  });
});

test('reload replaces the workers; a master left by a killed Skiff is ended on the next start', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-nginx-stale-'));
  let stale = 0;
  try {
    // A master started as the supervisor starts it, then abandoned (its parent, a shell, survives it by design here).
    const tls = new TLSStore(await selfSignedCertificate());
    const first = new NginxDataPlane({ dir, httpPort: 0, httpsPort: 0, bindAddress: '127.0.0.1', workerProcesses: 1 });
    await first.start(new RouteTable(new Map(), new Map()), tls);
    const before = childrenOf(first.supervisor.pid!);
    await first.supervisor.reload();
    await until('new worker', () => childrenOf(first.supervisor.pid!).some((c) => !before.includes(c)));
    await first.stop();
    const conf = join(dir, 'nginx.conf');
    const orphan = spawn('nginx', ['-p', `${dir}/`, '-e', join(dir, 'error.log'), '-c', conf], { detached: true, stdio: 'ignore' });
    stale = orphan.pid!;
    await until('stale master up', () => {
      try {
        return readFileSync(join(dir, 'nginx.pid'), 'utf8').trim() === String(stale);
      } catch {
        return false;
      }
    });
    const second = new NginxDataPlane({ dir, httpPort: 0, httpsPort: 0, bindAddress: '127.0.0.1', workerProcesses: 1 });
    await second.start(new RouteTable(new Map(), new Map()), tls);
    await until('stale master ended', () => {
      try {
        return readFileSync(`/proc/${stale}/stat`, 'utf8').includes(') Z ');
      } catch {
        return true; // gone (and reaped)
      }
    });
    const master = second.supervisor.pid!;
    assert.notEqual(master, stale);
    await second.stop();
    assert.deepEqual(processesIn(dir, [stale, master]), []);
  } finally {
    if (stale) try { process.kill(-stale, 'SIGKILL'); } catch { /* gone */ }
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a Skiff killed with SIGKILL takes its nginx with it (pdeathsig)', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-nginx-killed-'));
  const here = new URL('.', import.meta.url).pathname;
  const script = `
    const { NginxDataPlane } = await import('${here}nginx-data-plane.js');
    const { TLSStore } = await import('${here}tls-store.js');
    const { RouteTable } = await import('${here}route-table.js');
    const { selfSignedCertificate } = await import('${here}default-certificate.js');
    const plane = new NginxDataPlane({ dir: '${dir}', httpPort: 0, httpsPort: 0, bindAddress: '127.0.0.1', workerProcesses: 2 });
    await plane.start(new RouteTable(new Map(), new Map()), new TLSStore(await selfSignedCertificate()));
    console.log(plane.supervisor.pid);
    process.kill(process.pid, 'SIGKILL');`;
  try {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    assert.fail(`the script was not killed: ${out}`);
  } catch (err) {
    const master = Number(String((err as { stdout?: string }).stdout ?? '').trim());
    assert.ok(master > 0, String(err));
    await until('nginx gone with its parent', () => processesIn(dir, [master]).length === 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
