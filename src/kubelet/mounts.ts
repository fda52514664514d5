// SPDX-License-Identifier: Apache-2.0
/** The mount table as the volume manager reads it (/proc/mounts, with its octal escapes undone). */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** mountsUnder lists the mount points at or below dir, deepest first (the order to unmount them in). */
export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => (l.split(' ')[1] ?? '').replace(/\\([0-7]{3})/g, (_s, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** isMountPoint says whether path is itself a mount point. */
export function isMountPoint(path: string): boolean {
  return mountsUnder(path).includes(path);
}

/** unmountAll unmounts everything at or below dir, deepest first; a busy mount is detached lazily so the removal after it never follows into it. */
export function unmountAll(dir: string): void {
  for (const m of mountsUnder(dir)) {
    if (spawnSync('umount', [m]).status !== 0) spawnSync('umount', ['-l', m]);
  }
}
