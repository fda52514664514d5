// SPDX-License-Identifier: Apache-2.0
/**
 * The host side of pod volumes: hostPath type checks with upstream's messages,
 * and the mount table that tells a tmpfs already mounted from a bare directory.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';

/** VolumeError is a volume that could not be set up; message is upstream's FailedMount text. */
export class VolumeError extends Error {}

/** hostPathSetUp checks (or creates) a hostPath of the given type, with upstream's type-check messages. */
export function hostPathSetUp(path: string, type: string): string {
  const st = (() => {
    try {
      return statSync(path);
    } catch {
      return undefined;
    }
  })();
  switch (type) {
    case 'DirectoryOrCreate':
      if (!st) mkdirSync(path, { recursive: true, mode: 0o755 });
      else if (!st.isDirectory()) throw new VolumeError(`hostPath type check failed: ${path} is not a directory`);
      break;
    case 'FileOrCreate':
      if (!st) writeFileSync(path, '', { mode: 0o644 });
      else if (!st.isFile()) throw new VolumeError(`hostPath type check failed: ${path} is not a file`);
      break;
    case 'Directory':
      if (!st?.isDirectory()) throw new VolumeError(`hostPath type check failed: ${path} is not a directory`);
      break;
    case 'File':
      if (!st?.isFile()) throw new VolumeError(`hostPath type check failed: ${path} is not a file`);
      break;
    case 'Socket':
      if (!st?.isSocket()) throw new VolumeError(`hostPath type check failed: ${path} is not a socket file`);
      break;
    case 'CharDevice':
      if (!st?.isCharacterDevice()) throw new VolumeError(`hostPath type check failed: ${path} is not a character device`);
      break;
    case 'BlockDevice':
      if (!st?.isBlockDevice()) throw new VolumeError(`hostPath type check failed: ${path} is not a block device`);
      break;
    default:
      break;
  }
  return path;
}

/** mountsUnder lists the mount points at or below dir, deepest first (the order to unmount them). */
export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => (l.split(' ')[1] ?? '').replace(/\\([0-7]{3})/g, (_s, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** isMountPoint says whether path itself is a mount point. */
export function isMountPoint(path: string): boolean {
  return mountsUnder(path).includes(path);
}

// mount(8) and umount(8) run as child processes and are waited for asynchronously: the agent often shares its
// process with the API server, whose event loop would otherwise stand still for each fork and exec (a few ms
// per pod started or stopped, now that every pod has a tmpfs-backed kube-api-access volume).
const run = promisify(execFile);

/** mountTmpfs mounts a tmpfs with the given options at path. */
export async function mountTmpfs(path: string, options: string): Promise<void> {
  await run('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', path]);
}

/** unmountAll unmounts everything at or below dir, deepest first; a busy mount is detached lazily so the removal after it never follows into it. */
export async function unmountAll(dir: string): Promise<void> {
  for (const m of mountsUnder(dir)) {
    await run('umount', [m]).catch(() => run('umount', ['-l', m]).catch(() => undefined));
  }
}
