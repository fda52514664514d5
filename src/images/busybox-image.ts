// SPDX-License-Identifier: Apache-2.0
/**
 * busyboxImage packages the host's static busybox (Debian's busybox-static) as a
 * ~1 MB image with a shell and the usual tools (httpd, wget, nc, nslookup): a
 * stand-in for docker.io/library/busybox, built without a registry.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { buildImage, type ImageFile } from './oci-image.js';

/** BUSYBOX_IMAGE is the default reference: what `image: busybox:1.35` in a pod spec normalises to. */
export const BUSYBOX_IMAGE = 'docker.io/library/busybox:1.35';

/** BUSYBOX_BINARY is where busybox-static installs its binary. */
export const BUSYBOX_BINARY = '/bin/busybox';

/** rootFilesystemBasics are the files most programs expect: passwd/group with root and nobody, a sticky /tmp. */
export function rootFilesystemBasics(): ImageFile[] {
  return [
    { path: 'etc/passwd', data: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' },
    { path: 'etc/group', data: 'root:x:0:\nnogroup:x:65534:\n' },
    { path: 'tmp', dir: true, mode: 0o1777 },
    { path: 'root', dir: true, mode: 0o700 },
    { path: 'proc', dir: true },
    { path: 'sys', dir: true },
    { path: 'dev', dir: true },
  ];
}

/** busyboxImage returns the OCI archive of a busybox image: one symlink per applet, at busybox's own install paths. */
export function busyboxImage(name: string = BUSYBOX_IMAGE, binary: string = BUSYBOX_BINARY): Buffer {
  // --list-full gives each applet's conventional location (bin/sh, usr/bin/wget, sbin/ip).
  const applets = execFileSync(binary, ['--list-full'], { encoding: 'utf8' })
    .split('\n')
    .filter((p) => p.includes('/') && p !== 'bin/busybox');
  const files: ImageFile[] = [
    { path: 'bin/busybox', data: readFileSync(binary), mode: 0o755 },
    ...applets.map((p): ImageFile => ({ path: p, symlink: '/bin/busybox' })),
    ...rootFilesystemBasics(),
    { path: 'var/www/index.html', data: 'hello from skiff busybox\n' },
  ];
  return buildImage({ name, files, config: { Cmd: ['sh'], WorkingDir: '/' }, gzipLevel: 9 });
}
