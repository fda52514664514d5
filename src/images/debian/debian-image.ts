// SPDX-License-Identifier: Apache-2.0
/**
 * buildDebianImage makes a Debian-based image archive (like one built FROM
 * debian:bookworm-slim with an apt-get install layer) without Docker or a
 * registry: copy the cached debootstrap base, install the packages in a
 * chroot, overlay the recipe's own files, and pack the tree with the OCI
 * writer. Finished archives are cached by a hash of the recipe.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildImage, type ImageConfig, type ImageFile } from '../oci-image.js';
import { debianMirror } from './apt-mirror.js';
import { chrootInstall } from './chroot-install.js';
import { ensureDebootstrapBase } from './debootstrap-base.js';
import { archiveFileName, imageCacheDir, recipeHash } from './image-cache.js';
import { overlayFiles, rootfsFiles } from './rootfs-files.js';

/** DebianImageRecipe is what a Dockerfile FROM debian:bookworm-slim would say. */
export interface DebianImageRecipe {
  /** name is the full reference, as CRI normalises the pod's image (e.g. docker.io/library/redis:7). */
  name: string;
  packages: readonly string[];
  preInstall?: string;
  setup?: string;
  /** files are added (or replace what the packages installed), e.g. an entrypoint script. */
  files?: readonly ImageFile[];
  config: ImageConfig;
  gzipLevel?: number;
}

/** BuildOptions say where to cache and whom to tell. */
export interface BuildOptions {
  cacheDir?: string;
  mirror?: string;
  suite?: string;
  /** rebuild ignores a cached archive. */
  rebuild?: boolean;
  log?: (line: string) => void;
}

/** BuiltImage describes a finished archive. */
export interface BuiltImage {
  name: string;
  archivePath: string;
  bytes: number;
  /** buildMs is 0 when the archive came from the cache. */
  buildMs: number;
  cached: boolean;
}

// Bump when the build procedure changes in a way that changes the output.
const BUILDER_VERSION = 1;
const SUITE = 'bookworm';

/** buildDebianImage returns the cached archive for the recipe, building it first if needed. */
export async function buildDebianImage(recipe: DebianImageRecipe, opts: BuildOptions = {}): Promise<BuiltImage> {
  const cacheDir = opts.cacheDir ?? imageCacheDir();
  const suite = opts.suite ?? SUITE;
  const hash = recipeHash({ BUILDER_VERSION, suite, recipe });
  const archivePath = join(cacheDir, 'images', archiveFileName(recipe.name, hash));
  if (!opts.rebuild && existsSync(archivePath)) {
    return { name: recipe.name, archivePath, bytes: statSync(archivePath).size, buildMs: 0, cached: true };
  }
  const t0 = Date.now();
  const base = await ensureDebootstrapBase({ cacheDir, suite, mirror: opts.mirror ?? debianMirror(suite), log: opts.log });
  mkdirSync(join(cacheDir, 'work'), { recursive: true });
  const work = mkdtempSync(join(cacheDir, 'work', 'build-'));
  const root = join(work, 'rootfs');
  try {
    execFileSync('cp', ['-a', base, root]);
    rmSync(join(root, '.skiff-debootstrap-complete'), { force: true });
    await chrootInstall({ root, packages: recipe.packages, preInstall: recipe.preInstall, setup: recipe.setup, log: opts.log });
    const files = overlayFiles(rootfsFiles(root), recipe.files ?? []);
    const archive = buildImage({ name: recipe.name, files, config: recipe.config, gzipLevel: recipe.gzipLevel ?? 1 });
    mkdirSync(join(cacheDir, 'images'), { recursive: true });
    writeFileSync(`${archivePath}.tmp`, archive);
    renameSync(`${archivePath}.tmp`, archivePath);
    return { name: recipe.name, archivePath, bytes: archive.length, buildMs: Date.now() - t0, cached: false };
  } finally {
    // Only delete once no mount of the build is left (unshare -m guarantees it; this guards the guarantee).
    if (!readFileSync('/proc/mounts', 'utf8').includes(work)) rmSync(work, { recursive: true, force: true });
  }
}
