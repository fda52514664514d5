// SPDX-License-Identifier: Apache-2.0
/**
 * chrootInstall installs Debian packages into a copy of the base root
 * filesystem the way slim Dockerfiles do: inside `unshare -m` (every mount
 * the build makes dies with it), /proc and a private /dev in the chroot, a
 * policy-rc.d that exits 101 so no package starts its service, no
 * recommends, a dpkg path-exclude config so docs, man pages and
 * translations are never unpacked, and apt lists and caches removed after.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLogged } from './run-logged.js';

/** ChrootInstallOptions describe one package installation. */
export interface ChrootInstallOptions {
  /** root is the root filesystem to install into (a copy of the base). */
  root: string;
  packages: readonly string[];
  /** preInstall is shell run in the chroot before apt-get install (e.g. to configure a postinst). */
  preInstall?: string;
  /** setup is shell run in the chroot after the install (users, directories, trimming). */
  setup?: string;
  log?: (line: string) => void;
}

// Debian's own docker images use the same exclusions (keeping copyright files is a nicety we skip).
const DPKG_SLIM = [
  'path-exclude /usr/share/doc/*',
  'path-exclude /usr/share/man/*',
  'path-exclude /usr/share/info/*',
  'path-exclude /usr/share/locale/*',
  'path-include /usr/share/locale/locale.alias',
  'path-exclude /usr/share/lintian/*',
].join('\n');

const DEVICES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];

/** chrootScript is the shell run under unshare -m with the root as $1; exported for tests. */
export function chrootScript(opts: Omit<ChrootInstallOptions, 'root' | 'log'>): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const inChroot = (sh: string) => `chroot "$R" /bin/sh -eu -c ${q(sh)}`;
  return [
    'set -eu',
    'R="$1"',
    'mount -t proc proc "$R/proc"',
    'mount -t tmpfs -o mode=755,nosuid tmpfs "$R/dev"',
    `for d in ${DEVICES.join(' ')}; do touch "$R/dev/$d"; mount --bind "/dev/$d" "$R/dev/$d"; done`,
    'mkdir -p "$R/dev/pts" "$R/dev/shm"',
    'cp /etc/resolv.conf "$R/etc/resolv.conf"',
    `printf '#!/bin/sh\\nexit 101\\n' > "$R/usr/sbin/policy-rc.d"`,
    'chmod 755 "$R/usr/sbin/policy-rc.d"',
    `printf '%s\\n' ${q(DPKG_SLIM)} > "$R/etc/dpkg/dpkg.cfg.d/01-skiff-slim"`,
    `printf 'APT::Install-Recommends "false";\\nAPT::Install-Suggests "false";\\n' > "$R/etc/apt/apt.conf.d/01-skiff-no-recommends"`,
    'export DEBIAN_FRONTEND=noninteractive LC_ALL=C',
    opts.preInstall ? inChroot(opts.preInstall) : ':',
    inChroot('apt-get update -qq'),
    opts.packages.length ? inChroot(`apt-get install -y -qq --no-install-recommends ${opts.packages.join(' ')}`) : ':',
    opts.setup ? inChroot(opts.setup) : ':',
    inChroot('apt-get clean'),
    'rm -rf "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/* "$R"/var/cache/debconf/*-old "$R"/var/lib/dpkg/*-old',
    'rm -rf "$R"/usr/share/doc/* "$R"/usr/share/man/* "$R"/usr/share/info/* "$R"/tmp/* "$R"/var/tmp/*',
    'find "$R/var/log" -type f -delete',
    'find "$R/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +',
    'rm -f "$R/usr/sbin/policy-rc.d"',
    // The runtime bind-mounts its own resolv.conf; the build host's must not leak into the image.
    ': > "$R/etc/resolv.conf"',
  ].join('\n');
}

/** chrootInstall runs the installation; it rejects with apt's last output when a step fails. */
export async function chrootInstall(opts: ChrootInstallOptions): Promise<void> {
  const script = join(opts.root, '..', `${opts.root.split('/').pop()}.build.sh`);
  writeFileSync(script, chrootScript(opts), { mode: 0o700 });
  await runLogged('unshare', ['-m', '--propagation', 'private', '/bin/sh', script, opts.root], opts.log);
}
