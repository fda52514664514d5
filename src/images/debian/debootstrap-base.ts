// SPDX-License-Identifier: Apache-2.0
/**
 * ensureDebootstrapBase makes (once) and caches a minimal Debian root
 * filesystem: `debootstrap --variant=minbase SUITE DIR MIRROR`, about what
 * debian:SUITE-slim holds. Every image build copies it instead of running
 * debootstrap again (~30 s). debootstrap runs in its own mount namespace
 * (`unshare -m`), so the /proc and /sys it mounts vanish even if it is killed.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLogged } from './run-logged.js';

/** DebootstrapOptions say which base to make and where. */
export interface DebootstrapOptions {
  cacheDir: string;
  mirror: string;
  suite?: string;
  log?: (line: string) => void;
}

/** BASE_COMPLETE_MARKER marks a finished base; a directory without it is a killed build and is redone. */
export const BASE_COMPLETE_MARKER = '.skiff-debootstrap-complete';

/** debootstrapBaseDir is where the base for `suite` lives under cacheDir. */
export function debootstrapBaseDir(cacheDir: string, suite = 'bookworm'): string {
  return join(cacheDir, `debootstrap-${suite}`);
}

/** ensureDebootstrapBase returns the cached base root filesystem, making it first if needed. */
export async function ensureDebootstrapBase(opts: DebootstrapOptions): Promise<string> {
  const suite = opts.suite ?? 'bookworm';
  const dir = debootstrapBaseDir(opts.cacheDir, suite);
  if (existsSync(join(dir, BASE_COMPLETE_MARKER))) return dir;
  if (!existsSync('/usr/sbin/debootstrap')) throw new Error('debootstrap is not installed (apt-get install debootstrap)');
  mkdirSync(opts.cacheDir, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await runLogged('unshare', ['-m', '--propagation', 'private', 'debootstrap', '--variant=minbase', suite, tmp, opts.mirror], opts.log);
  writeFileSync(join(tmp, BASE_COMPLETE_MARKER), `${suite} ${opts.mirror}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return dir;
}
