// SPDX-License-Identifier: Apache-2.0
/**
 * imageArchiveNames reads the image references an archive declares, without
 * importing it: the names `skiff image import` will report. Two formats, as
 * containerd's importer accepts them (optionally gzip-compressed):
 * - OCI image layout: index.json manifests annotated with io.containerd.image.name
 *   (full reference) or org.opencontainers.image.ref.name;
 * - docker-archive (`docker save`): manifest.json entries with RepoTags.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { readTarMembers } from './tar-reader.js';
import { IMAGE_NAME_ANNOTATION, OCI_REF_NAME_ANNOTATION } from './oci-image.js';

/** ImageArchiveFormat is the layout an archive uses. */
export type ImageArchiveFormat = 'oci' | 'docker' | 'oci+docker';

/** ImageArchiveInfo is what an archive declares. */
export interface ImageArchiveInfo {
  format: ImageArchiveFormat;
  /** names are the image references in declaration order (OCI first), without duplicates. */
  names: string[];
}

interface OciIndex {
  manifests?: { annotations?: Record<string, string> }[];
}

interface DockerManifestEntry {
  RepoTags?: string[] | null;
}

async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const { bytesRead, buffer } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** readImageArchive parses the archive at `path` (plain or gzip tar) for its format and image names. */
export async function readImageArchive(path: string): Promise<ImageArchiveInfo> {
  const file = createReadStream(path);
  const stream: Readable = (await isGzip(path)) ? file.pipe(createGunzip()) : file;
  const members = await readTarMembers(stream, (n) => n === 'index.json' || n === 'manifest.json');
  file.destroy();
  return imageArchiveInfo(members.get('index.json'), members.get('manifest.json'), path);
}

/** imageArchiveInfo derives format and names from the archive's index.json and/or manifest.json. */
export function imageArchiveInfo(index: Buffer | undefined, manifest: Buffer | undefined, what = 'archive'): ImageArchiveInfo {
  if (!index && !manifest) throw new Error(`${what}: neither an OCI layout (index.json) nor a docker-archive (manifest.json)`);
  const names: string[] = [];
  if (index) {
    for (const m of (JSON.parse(index.toString('utf8')) as OciIndex).manifests ?? []) {
      const name = m.annotations?.[IMAGE_NAME_ANNOTATION] ?? m.annotations?.[OCI_REF_NAME_ANNOTATION];
      if (name) names.push(name);
    }
  }
  if (manifest) {
    for (const entry of JSON.parse(manifest.toString('utf8')) as DockerManifestEntry[]) names.push(...(entry.RepoTags ?? []));
  }
  const format: ImageArchiveFormat = index && manifest ? 'oci+docker' : index ? 'oci' : 'docker';
  return { format, names: [...new Set(names)] };
}
