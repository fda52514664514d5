// SPDX-License-Identifier: Apache-2.0
/**
 * images/debian: Debian-based images built offline with debootstrap and apt
 * in a chroot (redis, postgres), and multi-file Node app images, all packed
 * by the OCI writer of src/images and cached across runs.
 */
export { buildDebianImage } from './debian-image.js';
export type { DebianImageRecipe, BuildOptions, BuiltImage } from './debian-image.js';
export { redisImage, REDIS_IMAGE } from './redis-image.js';
export { postgresImage, POSTGRES_IMAGE, POSTGRES_ENTRYPOINT } from './postgres-image.js';
export { nodeDirectoryImage, nodeDirectoryFiles, appFiles } from './node-directory-image.js';
export type { NodeDirectoryImageOptions } from './node-directory-image.js';
export { ensureDebootstrapBase, debootstrapBaseDir } from './debootstrap-base.js';
export { debianMirror, parseAptSources, DEFAULT_DEBIAN_MIRROR } from './apt-mirror.js';
export { imageCacheDir, recipeHash, archiveFileName } from './image-cache.js';
export { rootfsFiles, overlayFiles } from './rootfs-files.js';
export { chrootScript, chrootInstall } from './chroot-install.js';
