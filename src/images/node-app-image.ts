// SPDX-License-Identifier: Apache-2.0
/**
 * nodeAppImage packages the host's node binary, the shared libraries `ldd`
 * says it loads, and one JavaScript file: a small image for HTTP test apps
 * (what a real workload image would be) without a registry or a base image.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { buildImage, type ImageFile } from './oci-image.js';
import { rootFilesystemBasics } from './busybox-image.js';

/** NodeAppImageOptions describe the app. */
export interface NodeAppImageOptions {
  /** name is the full image reference, e.g. "localhost/skiff/echo:1". */
  name: string;
  /** script is the JavaScript source, installed as /app/main.js and run by `node /app/main.js`. */
  script: string;
  /** nodeBinary defaults to the node running this process. */
  nodeBinary?: string;
  env?: string[];
}

/**
 * sharedLibraries lists the absolute paths `ldd` prints for a dynamic executable,
 * including the program interpreter (ld-linux) and excluding the kernel's vDSO.
 */
export function sharedLibraries(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const paths = new Set<string>();
  for (const line of out.split('\n')) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (m) paths.add(m[1]);
  }
  return [...paths].sort();
}

/** nodeAppImage returns the OCI archive of an image running `script` with the host's node. */
export function nodeAppImage(options: NodeAppImageOptions): Buffer {
  const node = realpathSync(options.nodeBinary ?? process.execPath);
  // Each library goes at the path the loader asks for, with the content of what that
  // path resolves to on the host (Debian's /lib64/ld-linux-x86-64.so.2 is a symlink).
  const libraries: ImageFile[] = sharedLibraries(node).map((p) => ({ path: p, data: readFileSync(realpathSync(p)), mode: 0o755 }));
  return buildImage({
    name: options.name,
    files: [
      { path: 'usr/local/bin/node', data: readFileSync(node), mode: 0o755 },
      ...libraries,
      ...rootFilesystemBasics(),
      { path: 'app/main.js', data: options.script },
    ],
    config: { Entrypoint: ['/usr/local/bin/node', '/app/main.js'], WorkingDir: '/app', Env: options.env },
    // The node binary is ~100 MB: fastest gzip keeps a build around a second.
    gzipLevel: 1,
  });
}
