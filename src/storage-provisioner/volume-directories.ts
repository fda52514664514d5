// SPDX-License-Identifier: Apache-2.0
/**
 * VolumeDirectories is how the provisioner makes and removes a volume's
 * directory ON THE NODE that holds it. For nodes served by this process
 * (the server's own node, simulated nodes) LocalVolumeDirectories does it
 * with the file system directly; a remote node agent can offer the same
 * two calls (rancher's provisioner runs a helper pod for this instead).
 */
import { mkdir, rm } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';

/** VolumeDirectories creates and removes volume directories on one node. */
export interface VolumeDirectories {
  /** create makes the directory (and parents); it exists afterwards, mode 0777 as rancher's helper sets. */
  create(path: string): Promise<void>;
  /** remove deletes the directory and everything in it; a missing directory is not an error. */
  remove(path: string): Promise<void>;
}

/** UnsafeVolumePathError refuses a path outside the storage root (a PV edited to point at `/`, say). */
export class UnsafeVolumePathError extends Error {
  readonly code = 'ERR_PROVISIONER_UNSAFE_PATH';
  constructor(path: string, root: string) {
    super(`refusing to touch ${path}: not a directory under the storage root ${root}`);
  }
}

/** isUnder says `path` is strictly inside `root`. */
export function isUnder(path: string, root: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** LocalVolumeDirectories acts on this machine's file system, only under `root`. */
export class LocalVolumeDirectories implements VolumeDirectories {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  async create(path: string): Promise<void> {
    this.#check(path);
    await mkdir(path, { recursive: true, mode: 0o777 });
  }

  async remove(path: string): Promise<void> {
    this.#check(path);
    await rm(path, { recursive: true, force: true });
  }

  #check(path: string): void {
    if (!isUnder(path, this.root)) throw new UnsafeVolumePathError(path, this.root);
  }
}
