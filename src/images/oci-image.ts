// SPDX-License-Identifier: Apache-2.0
/**
 * buildImage turns a list of files into a single-layer OCI image-layout archive
 * (oci-layout, index.json, blobs/sha256/*) that `ctr images import` and
 * `skiff image import` load without a registry. Output is deterministic: the
 * layer is sorted, owned by root, dated 1970, so equal input gives equal digests.
 * Layout per the OCI image-spec v1.0 (image-layout.md, manifest.md, config.md).
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { writeTar, type TarEntry } from './tar-writer.js';

/** ImageFile is one path in the image's root filesystem (absolute or relative; parents are created). */
export type ImageFile =
  | { path: string; data: Buffer | string; mode?: number }
  | { path: string; symlink: string }
  | { path: string; dir: true; mode?: number };

/** ImageConfig is the runtime part of an OCI image config (field names as in the spec). */
export interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Labels?: Record<string, string>;
  StopSignal?: string;
}

/** BuildImageOptions describe the image to build. */
export interface BuildImageOptions {
  /** name is the full reference recorded in the archive, e.g. "docker.io/library/busybox:1.35". */
  name: string;
  files: readonly ImageFile[];
  config: ImageConfig;
  /** gzipLevel trades build time for size (default 6); any fixed level stays deterministic. */
  gzipLevel?: number;
}

/** IMAGE_NAME_ANNOTATION carries the full image reference in index.json; containerd's importer names the image from it. */
export const IMAGE_NAME_ANNOTATION = 'io.containerd.image.name';
/** OCI_REF_NAME_ANNOTATION is the OCI-standard tag annotation. */
export const OCI_REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

const EPOCH = '1970-01-01T00:00:00Z';
const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** layerEntries normalises files into sorted tar entries, adding missing parent directories. */
export function layerEntries(files: readonly ImageFile[]): TarEntry[] {
  const byPath = new Map<string, TarEntry>();
  const addParents = (path: string) => {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!byPath.has(dir)) byPath.set(dir, { type: 'dir', path: dir });
    }
  };
  for (const f of files) {
    const path = f.path.replace(/^\/+/, '').replace(/\/+$/, '');
    if (!path || path.split('/').includes('..')) throw new Error(`image file path not allowed: ${f.path}`);
    const existing = byPath.get(path);
    if (existing && !(existing.type === 'dir' && 'dir' in f)) throw new Error(`image file listed twice: ${f.path}`);
    addParents(path);
    if ('symlink' in f) byPath.set(path, { type: 'symlink', path, target: f.symlink });
    else if ('dir' in f) byPath.set(path, { type: 'dir', path, mode: f.mode });
    else byPath.set(path, { type: 'file', path, data: Buffer.from(f.data), mode: f.mode });
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** buildImage returns an OCI image-layout tar archive holding one image named `name`. */
export function buildImage(options: BuildImageOptions): Buffer {
  const layerTar = writeTar(layerEntries(options.files));
  const layer = gzipSync(layerTar, { level: options.gzipLevel ?? 6 });
  const layerDigest = sha256(layer);
  const config = Buffer.from(JSON.stringify({
    created: EPOCH,
    architecture: 'amd64',
    os: 'linux',
    config: { ...options.config, Env: options.config.Env ?? [DEFAULT_PATH_ENV] },
    rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
    history: [{ created: EPOCH, created_by: 'skiff buildImage' }],
  }));
  const configDigest = sha256(config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.length }],
  }));
  const manifestDigest = sha256(manifest);
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: manifestDigest,
      size: manifest.length,
      platform: { architecture: 'amd64', os: 'linux' },
      annotations: { [IMAGE_NAME_ANNOTATION]: options.name, [OCI_REF_NAME_ANNOTATION]: tagOf(options.name) },
    }],
  }));
  const blob = (digest: string, data: Buffer): TarEntry => ({ type: 'file', path: `blobs/sha256/${digest.slice(7)}`, data });
  return writeTar([
    { type: 'file', path: 'oci-layout', data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
    { type: 'file', path: 'index.json', data: index },
    { type: 'dir', path: 'blobs' },
    { type: 'dir', path: 'blobs/sha256' },
    blob(configDigest, config),
    blob(layerDigest, layer),
    blob(manifestDigest, manifest),
  ]);
}

// The tag of "host:5000/repo:tag" is "tag"; a reference without one is "latest".
function tagOf(ref: string): string {
  const lastSegment = ref.slice(ref.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  return colon < 0 ? 'latest' : lastSegment.slice(colon + 1);
}
