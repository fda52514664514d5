// SPDX-License-Identifier: Apache-2.0
/**
 * redisImage is a stand-in for docker.io/library/redis:7 from Debian's
 * redis-server (7.0 in bookworm): listening on every address with protected
 * mode off, as the official image ships, so other pods reach it through its
 * Service; data in /data, the official image's working directory.
 */
import type { DebianImageRecipe } from './debian-image.js';

/** REDIS_IMAGE is what `image: redis:7` normalises to. */
export const REDIS_IMAGE = 'docker.io/library/redis:7';

/** redisImage returns the recipe; build it with buildDebianImage. */
export function redisImage(name: string = REDIS_IMAGE): DebianImageRecipe {
  return {
    name,
    packages: ['redis-server'],
    setup: 'mkdir -p /data && rm -f /etc/redis/redis.conf.dpkg-*',
    config: {
      // Without a config file redis binds every address but, with protected mode on and no
      // password, refuses clients that are not on loopback; the official image turns it off.
      Entrypoint: ['/usr/bin/redis-server'],
      Cmd: ['--bind', '0.0.0.0', '--protected-mode', 'no', '--daemonize', 'no', '--dir', '/data'],
      WorkingDir: '/data',
      ExposedPorts: { '6379/tcp': {} },
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    },
    gzipLevel: 6,
  };
}
