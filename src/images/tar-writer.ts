// SPDX-License-Identifier: Apache-2.0
/**
 * A minimal ustar (POSIX.1-1988) archive writer: directories, regular files and
 * symlinks, owned by uid/gid 0 with numeric owners. Every header field that is
 * not given is fixed (mtime 0, names "root"), so equal input gives equal bytes:
 * image digests stay reproducible across runs and machines.
 */

/** TarEntry is one archive member. Paths are relative ("bin/sh"), without a leading slash. */
export type TarEntry =
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'file'; path: string; data: Buffer; mode?: number }
  | { type: 'symlink'; path: string; target: string };

const BLOCK = 512;

function octal(value: number, width: number): string {
  // width includes the terminating NUL.
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

// ustar keeps names up to 100 bytes, or up to 255 when split at a '/' into prefix (155) + name (100).
function splitName(path: string): { prefix: string; name: string } {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '') return { prefix, name };
  }
  throw new Error(`tar: path too long for ustar: ${path}`);
}

function header(path: string, typeflag: string, mode: number, size: number, linkname = ''): Buffer {
  if (Buffer.byteLength(linkname) > 100) throw new Error(`tar: link target too long for ustar: ${linkname}`);
  const h = Buffer.alloc(BLOCK);
  const { prefix, name } = splitName(path);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii'); // uid
  h.write(octal(0, 8), 116, 'ascii'); // gid
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(0, 12), 136, 'ascii'); // mtime: the epoch, for reproducible digests
  h.write(typeflag, 156, 'ascii');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0' + '00', 257, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  // The checksum is computed with its own field read as eight spaces.
  h.write('        ', 148, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

/** writeTar serialises entries, in the given order, into a ustar archive ending in two zero blocks. */
export function writeTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.type === 'dir') {
      parts.push(header(e.path.endsWith('/') ? e.path : `${e.path}/`, '5', e.mode ?? 0o755, 0));
    } else if (e.type === 'symlink') {
      parts.push(header(e.path, '2', 0o777, 0, e.target));
    } else {
      parts.push(header(e.path, '0', e.mode ?? 0o644, e.data.length), e.data);
      const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}
