// SPDX-License-Identifier: Apache-2.0
/**
 * The host side of pod volumes: hostPath type checks with upstream's messages,
 * and the mount table that tells a tmpfs already mounted from a bare directory.
 */
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
