// SPDX-License-Identifier: Apache-2.0
/**
 * nodeDirectoryImage is nodeAppImage for an app of several files: the host's
 * node binary and the libraries it loads, plus directories of the app under
 * /app, started with `node /app/<main>`. Apps written against Node's
 * standard library alone need nothing else (no npm install at build time).
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildImage, type ImageFile } from '../oci-image.js';
import { rootFilesystemBasics } from '../busybox-image.js';
import { sharedLibraries } from '../node-app-image.js';

/** NodeDirectoryImageOptions describe the app. */
export interface NodeDirectoryImageOptions {
  /** name is the full image reference, e.g. "skiff.dev/fib-server:1". */
  name: string;
  /**
   * dirs maps a directory under /app to the host directory copied there, so
   * the image keeps the checkout's layout: { server: 'examples/x/server', lib: 'examples/x/lib' }.
   */
  dirs: Record<string, string>;
  /** main is the file node runs, relative to /app (e.g. "server/index.js"); its directory is the working directory. */
  main: string;
  env?: string[];
  ports?: number[];
  nodeBinary?: string;
}

/** appFiles lists dir's files (recursively, dot-files skipped) as ImageFiles under `under`. */
export function appFiles(dir: string, under: string): ImageFile[] {
  const out: ImageFile[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...appFiles(p, `${under}/${name}`));
    else out.push({ path: `${under}/${name}`, data: readFileSync(p) });
  }
  return out;
}

/** nodeDirectoryFiles is every app file the image holds (also what its cache key should cover). */
export function nodeDirectoryFiles(dirs: Record<string, string>): ImageFile[] {
  return Object.entries(dirs).flatMap(([under, dir]) => appFiles(dir, `app/${under}`));
}

/** nodeDirectoryImage returns the OCI archive of the app image. */
export function nodeDirectoryImage(o: NodeDirectoryImageOptions): Buffer {
  const node = realpathSync(o.nodeBinary ?? process.execPath);
  const libraries: ImageFile[] = sharedLibraries(node).map((p) => ({ path: p, data: readFileSync(realpathSync(p)), mode: 0o755 }));
  const main = `/app/${o.main}`;
  return buildImage({
    name: o.name,
    files: [{ path: 'usr/local/bin/node', data: readFileSync(node), mode: 0o755 }, ...libraries, ...rootFilesystemBasics(), ...nodeDirectoryFiles(o.dirs)],
    config: {
      Entrypoint: ['/usr/local/bin/node', main],
      WorkingDir: main.slice(0, main.lastIndexOf('/')),
      Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_ENV=production', ...(o.env ?? [])],
      ExposedPorts: Object.fromEntries((o.ports ?? []).map((p) => [`${p}/tcp`, {}])),
    },
    // The node binary is ~100 MB: fastest gzip keeps a build around a second.
    gzipLevel: 1,
  });
}
