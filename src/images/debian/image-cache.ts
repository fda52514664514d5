// SPDX-License-Identifier: Apache-2.0
/**
 * Where image builds keep what is slow to make: the debootstrapped base
 * root filesystem and finished archives, keyed by a hash of their recipe so
 * a changed recipe rebuilds and an unchanged one is reused across runs.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** imageCacheDir is $SKIFF_IMAGE_CACHE, else ~/.cache/skiff. */
export function imageCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SKIFF_IMAGE_CACHE || join(env.HOME || homedir(), '.cache', 'skiff');
}

/** recipeHash is a short, stable digest of anything JSON-serialisable that determines an image. */
export function recipeHash(recipe: unknown): string {
  return createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 16);
}

/** archiveFileName turns "docker.io/library/redis:7" and a hash into "redis-7-<hash>.oci.tar". */
export function archiveFileName(imageName: string, hash: string): string {
  const last = imageName.slice(imageName.lastIndexOf('/') + 1).replace(/[^A-Za-z0-9.-]+/g, '-');
  return `${last}-${hash}.oci.tar`;
}
