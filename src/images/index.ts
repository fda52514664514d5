// SPDX-License-Identifier: Apache-2.0
/**
 * images: building and importing container images without a registry. Pure
 * Node OCI archives (deterministic ustar + gzip + sha256), the built-in pause,
 * busybox and node-app images, archive inspection, and import into containerd.
 */
export { buildImage, layerEntries, IMAGE_NAME_ANNOTATION, OCI_REF_NAME_ANNOTATION } from './oci-image.js';
export type { BuildImageOptions, ImageConfig, ImageFile } from './oci-image.js';
export { pauseImage, pauseBinary, PAUSE_IMAGE } from './pause-image.js';
export { busyboxImage, rootFilesystemBasics, BUSYBOX_IMAGE, BUSYBOX_BINARY } from './busybox-image.js';
export { nodeAppImage, sharedLibraries } from './node-app-image.js';
export type { NodeAppImageOptions } from './node-app-image.js';
export { readImageArchive, imageArchiveInfo } from './image-archive.js';
export type { ImageArchiveFormat, ImageArchiveInfo } from './image-archive.js';
export { importImage, CRI_NAMESPACE } from './image-import.js';
export type { ImportImageOptions } from './image-import.js';
export { writeTar } from './tar-writer.js';
export type { TarEntry } from './tar-writer.js';
export { readTarMembers } from './tar-reader.js';
