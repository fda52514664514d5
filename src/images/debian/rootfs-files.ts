// SPDX-License-Identifier: Apache-2.0
/**
 * rootfsFiles reads a root filesystem directory into the ImageFile list the
 * OCI writer packs. Regular files keep their mode (setuid bits included),
 * symlinks their target; hard links become copies (the writer has no link
 * entries); device nodes, sockets and FIFOs are skipped, as are the contents
 * of the mount points a runtime fills (/proc, /sys, /dev) and of /tmp.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageFile } from '../oci-image.js';

/** RUNTIME_MOUNT_POINTS are directories kept empty in an image: the runtime mounts over them. */
export const RUNTIME_MOUNT_POINTS = ['proc', 'sys', 'dev', 'tmp', 'run/lock'];

/** rootfsFiles returns every packable entry under root, paths relative to it. */
export function rootfsFiles(root: string, skip: readonly string[] = RUNTIME_MOUNT_POINTS): ImageFile[] {
  const out: ImageFile[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel))) {
      const path = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, path));
      if (st.isSymbolicLink()) out.push({ path, symlink: readlinkSync(join(root, path)) });
      else if (st.isFile()) out.push({ path, data: readFileSync(join(root, path)), mode: st.mode & 0o7777 });
      else if (st.isDirectory()) {
        out.push({ path, dir: true, mode: st.mode & 0o7777 });
        if (!skip.includes(path)) walk(path);
      }
    }
  };
  walk('');
  return out;
}

/** overlayFiles returns base with every path in extra replaced or added (extra wins). */
export function overlayFiles(base: readonly ImageFile[], extra: readonly ImageFile[]): ImageFile[] {
  const norm = (p: string) => p.replace(/^\/+/, '').replace(/\/+$/, '');
  const replaced = new Set(extra.map((f) => norm(f.path)));
  return [...base.filter((f) => !replaced.has(norm(f.path))), ...extra];
}
