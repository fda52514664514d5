// SPDX-License-Identifier: Apache-2.0
/**
 * postgresImage is a stand-in for docker.io/library/postgres:15 from
 * Debian's postgresql-15, with an entrypoint doing what the official image's
 * docker-entrypoint.sh does for the common case: own an empty PGDATA (a
 * fresh volume is root's), run initdb as postgres only when PG_VERSION is
 * absent, set the superuser password from POSTGRES_PASSWORD (and refuse to
 * initialise without one unless POSTGRES_HOST_AUTH_METHOD=trust), accept
 * password logins from any address, then exec postgres in the foreground.
 * Stop signal SIGINT: postgres' "fast" shutdown, as the official image.
 */
import type { DebianImageRecipe } from './debian-image.js';

/** POSTGRES_IMAGE is what `image: postgres:15` normalises to. */
export const POSTGRES_IMAGE = 'docker.io/library/postgres:15';

const PG_BIN = '/usr/lib/postgresql/15/bin';

/** POSTGRES_ENTRYPOINT is the shell entrypoint, installed as /usr/local/bin/docker-entrypoint.sh. */
export const POSTGRES_ENTRYPOINT = `#!/bin/sh
set -eu
PGDATA="\${PGDATA:-/var/lib/postgresql/data}"
export PGDATA PATH="${PG_BIN}:$PATH"
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  # A fresh volume (or subPath) is root's: hand it to postgres, which insists on 0700.
  if [ "$(stat -c %U "$PGDATA")" != postgres ]; then chown -R postgres:postgres "$PGDATA"; fi
  chmod 700 "$PGDATA"
  chown postgres:postgres /var/run/postgresql && chmod 2775 /var/run/postgresql
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  method="\${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
  if [ -z "\${POSTGRES_PASSWORD:-}" ] && [ "$method" != trust ]; then
    echo 'error: database is uninitialized and superuser password is not specified.' >&2
    echo '  Set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust to allow all connections without a password).' >&2
    exit 1
  fi
  pwfile=$(mktemp)
  printf '%s\\n' "\${POSTGRES_PASSWORD:-}" > "$pwfile"
  chown postgres "$pwfile"
  pwarg="--pwfile=$pwfile"
  [ -n "\${POSTGRES_PASSWORD:-}" ] || pwarg=
  as_postgres initdb -D "$PGDATA" --username="\${POSTGRES_USER:-postgres}" $pwarg -E UTF8 --locale=C.UTF-8 \\
    --auth-local=trust --auth-host="$method" >/dev/null
  rm -f "$pwfile"
  printf '\\nhost all all all %s\\n' "$method" >> "$PGDATA/pg_hba.conf"
  printf "\\nlisten_addresses = '*'\\n" >> "$PGDATA/postgresql.auto.conf"
  db="\${POSTGRES_DB:-\${POSTGRES_USER:-postgres}}"
  if [ "$db" != postgres ]; then
    echo "CREATE DATABASE \\"$db\\";" | as_postgres postgres --single -D "$PGDATA" -j postgres >/dev/null
  fi
  echo 'PostgreSQL init process complete; ready for start up.'
fi

if [ "\${1:-postgres}" = postgres ]; then
  [ $# -gt 0 ] && shift
  if [ "$(id -u)" = 0 ]; then exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -D "$PGDATA" "$@"; fi
  exec postgres -D "$PGDATA" "$@"
fi
exec "$@"
`;

/** postgresImage returns the recipe; build it with buildDebianImage. */
export function postgresImage(name: string = POSTGRES_IMAGE): DebianImageRecipe {
  return {
    name,
    packages: ['postgresql-15'],
    // postgresql-common would create a "main" cluster in its postinst; the entrypoint makes its own in PGDATA.
    preInstall: 'mkdir -p /etc/postgresql-common/createcluster.d && echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/skiff.conf',
    // JIT is optional in postgres and libLLVM is two thirds of the image: drop the provider and
    // its bitcode (postgres then runs with JIT unavailable, as a build without --with-llvm).
    setup: [
      'rm -rf /usr/lib/postgresql/15/lib/llvmjit* /usr/lib/postgresql/15/lib/bitcode /usr/lib/x86_64-linux-gnu/libLLVM-*',
      'mkdir -p /var/lib/postgresql/data /var/run/postgresql /docker-entrypoint-initdb.d',
    ].join(' && '),
    files: [{ path: 'usr/local/bin/docker-entrypoint.sh', data: POSTGRES_ENTRYPOINT, mode: 0o755 }],
    config: {
      Entrypoint: ['/usr/local/bin/docker-entrypoint.sh'],
      Cmd: ['postgres'],
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'PGDATA=/var/lib/postgresql/data', 'LANG=C.UTF-8'],
      ExposedPorts: { '5432/tcp': {} },
      StopSignal: 'SIGINT',
    },
  };
}
