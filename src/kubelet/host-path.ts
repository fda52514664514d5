// SPDX-License-Identifier: Apache-2.0
/** hostPath volumes: the type checks of upstream's hostPath plugin (pkg/volume/hostpath). */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { VolumeError } from './volume-error.js';

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
