// SPDX-License-Identifier: Apache-2.0
/**
 * importImage loads an image archive into a containerd's `k8s.io` namespace,
 * the one the CRI plugin serves, so pods can use the image without a pull.
 * It runs `ctr images import` (shipped with containerd): that importer handles
 * OCI layouts and docker-archives alike and unpacks into the default snapshotter.
 * The CRI plugin sees the new images through containerd events at once.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readImageArchive } from './image-archive.js';

const run = promisify(execFile);

/** CRI_NAMESPACE is the containerd namespace the CRI plugin keeps its images and containers in. */
export const CRI_NAMESPACE = 'k8s.io';

/** ImportImageOptions tune the import. */
export interface ImportImageOptions {
  /** ctrPath defaults to `ctr` on PATH. */
  ctrPath?: string;
  timeoutMs?: number;
}

/** importImage imports the archive at archivePath through the containerd socket and returns the imported image names. */
export async function importImage(socketPath: string, archivePath: string, options: ImportImageOptions = {}): Promise<string[]> {
  const declared = (await readImageArchive(archivePath)).names;
  const args = ['--address', socketPath, '--namespace', CRI_NAMESPACE, 'images', 'import', archivePath];
  let stdout: string;
  try {
    ({ stdout } = await run(options.ctrPath ?? 'ctr', args, { timeout: options.timeoutMs ?? 5 * 60_000 }));
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ctr images import ${archivePath} failed: ${(e.stderr || e.message).trim()}`, { cause: err });
  }
  // ctr prints "unpacking NAME (sha256:...)...done" per image; trust it over the archive
  // when they differ (a docker-archive without RepoTags gets a name from ctr).
  const reported = [...stdout.matchAll(/^unpacking (\S+) \(sha256:[0-9a-f]+\)/gm)].map((m) => m[1]);
  return reported.length > 0 ? [...new Set(reported)] : declared;
}
