// SPDX-License-Identifier: Apache-2.0
/**
 * writeAtomic publishes a set of files into a volume directory the way
 * upstream's AtomicWriter (pkg/volume/util/atomic_writer.go) does, so a
 * container never sees half an update: the payload goes into a fresh
 * timestamped directory `..<ts>`, the `..data` symlink is swapped to it with
 * one rename, and each user-visible path is a symlink through `..data`.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** PayloadFile is one file of a volume: its content and mode. */
export interface PayloadFile {
  data: Buffer;
  mode: number;
}

const DATA_DIR = '..data';

function tsDirName(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `..${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}.${randomBytes(5).toString('hex')}`;
}

function samePayload(dir: string, payload: Map<string, PayloadFile>): boolean {
  const current = join(dir, DATA_DIR);
  if (!existsSync(current)) return false;
  const have = listFiles(current);
  if (have.length !== payload.size) return false;
  for (const rel of have) {
    const want = payload.get(rel);
    if (!want) return false;
    const st = lstatSync(join(current, rel));
    if ((st.mode & 0o777) !== want.mode || !readFileSync(join(current, rel)).equals(want.data)) return false;
  }
  return true;
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(join(dir, e.name), rel));
    else out.push(rel);
  }
  return out;
}

/** writeAtomic makes dir hold exactly payload (relative paths); returns false when nothing changed. */
export function writeAtomic(dir: string, payload: Map<string, PayloadFile>): boolean {
  mkdirSync(dir, { recursive: true });
  if (samePayload(dir, payload)) return false;
  const oldTarget = existsSync(join(dir, DATA_DIR)) ? readlinkSync(join(dir, DATA_DIR)) : undefined;
  const ts = tsDirName();
  for (const [rel, f] of payload) {
    const path = join(dir, ts, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.data);
    chmodSync(path, f.mode);
  }
  mkdirSync(join(dir, ts), { recursive: true });
  chmodSync(join(dir, ts), 0o755);
  const tmp = join(dir, '..data_tmp');
  rmSync(tmp, { force: true });
  symlinkSync(ts, tmp);
  renameSync(tmp, join(dir, DATA_DIR));
  // User-visible entries: one symlink per top-level name through ..data; stale ones go.
  const top = new Set([...payload.keys()].map((rel) => rel.split('/')[0]));
  for (const name of top) {
    const link = join(dir, name);
    if (!isLink(link)) {
      rmSync(link, { recursive: true, force: true });
      symlinkSync(join(DATA_DIR, name), link);
    }
  }
  for (const name of readdirSync(dir)) {
    if (!name.startsWith('..') && !top.has(name)) rmSync(join(dir, name), { recursive: true, force: true });
  }
  if (oldTarget && oldTarget !== ts) rmSync(join(dir, oldTarget), { recursive: true, force: true });
  return true;
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
