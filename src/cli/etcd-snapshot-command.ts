// SPDX-License-Identifier: Apache-2.0
/**
 * `skiff etcd-snapshot save`: back up the whole cluster from its etcd, as
 * `k3s etcd-snapshot save` does (files named on-demand-<host>-<unix time> in
 * <data-dir>/db/snapshots unless --file says where). Restoring is etcd's own
 * procedure: `etcdctl snapshot restore FILE --data-dir NEW` for each member,
 * then start etcd on the restored directories.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { FlagError, parseFlags } from './flags.js';
import { saveEtcdSnapshot } from '../storage/index.js';

export async function runEtcdSnapshot(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'save') return usage(`unknown etcd-snapshot command ${JSON.stringify(sub ?? '')}`);
  let flags;
  try {
    flags = parseFlags(rest, {
      'data-dir': { type: 'string', default: '/var/lib/skiff' },
      'datastore-endpoint': { type: 'string', default: '' },
      'datastore-cafile': { type: 'string', default: '' },
      'datastore-certfile': { type: 'string', default: '' },
      'datastore-keyfile': { type: 'string', default: '' },
      file: { type: 'string', default: '' },
    });
  } catch (err) {
    if (err instanceof FlagError) return usage(err.message);
    throw err;
  }
  const endpoints = String(flags['datastore-endpoint']).split(',').map((e) => e.trim()).filter(Boolean);
  if (!endpoints.every((e) => /^https?:\/\//.test(e)) || endpoints.length === 0) {
    return usage('--datastore-endpoint must name the etcd members (http(s)://HOST:2379,...); a SQLite datastore is backed up by copying its file while the server is stopped');
  }
  const read = (f: unknown) => (f ? readFileSync(resolve(String(f))) : undefined);
  const file = flags.file ? resolve(String(flags.file)) : join(resolve(String(flags['data-dir'])), 'db', 'snapshots', `on-demand-${hostname()}-${Math.floor(Date.now() / 1000)}`);
  try {
    const bytes = await saveEtcdSnapshot({ endpoints, tls: { ca: read(flags['datastore-cafile']), cert: read(flags['datastore-certfile']), key: read(flags['datastore-keyfile']) } }, file);
    process.stdout.write(`Snapshot saved to ${file} (${bytes} bytes)\n`);
  } catch (err) {
    process.stderr.write(`skiff etcd-snapshot save: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

function usage(message: string): never {
  process.stderr.write(`skiff etcd-snapshot: ${message}\nUsage: skiff etcd-snapshot save --datastore-endpoint https://HOST:2379,... [--datastore-cafile F --datastore-certfile F --datastore-keyfile F] [--file PATH | --data-dir DIR]\n`);
  process.exit(2);
}
