// SPDX-License-Identifier: Apache-2.0
/**
 * `skiff etcd-snapshot save|restore`, as k3s's:
 * - save backs up the whole cluster from its etcd (files named
 *   on-demand-<host>-<unix time> in <data-dir>/db/snapshots unless --file
 *   says where): the server's own member when the data dir has one, or the
 *   members --datastore-endpoint names;
 * - restore FILE resets a stopped server's own etcd to the snapshot as a new
 *   one-member cluster (k3s's --cluster-reset --cluster-reset-restore-path)
 *   and says what the other servers must do. An external etcd is restored
 *   with etcd's own procedure (`etcdctl snapshot restore` on each member).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { FlagError, parseFlags } from './flags.js';
import { saveEtcdSnapshot } from '../storage/index.js';
import { clientTLS, faultTolerance, hasManagedEtcd, loadOrCreateMember, restoreSnapshot, RestoreError } from '../etcd/index.js';

const SAVE_FLAGS = {
  'data-dir': { type: 'string', default: '/var/lib/skiff' },
  'datastore-endpoint': { type: 'string', default: '' },
  'datastore-cafile': { type: 'string', default: '' },
  'datastore-certfile': { type: 'string', default: '' },
  'datastore-keyfile': { type: 'string', default: '' },
  file: { type: 'string', default: '' },
} as const;

export async function runEtcdSnapshot(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'save') return save(rest);
  if (sub === 'restore') return restore(rest);
  return usage(`unknown etcd-snapshot command ${JSON.stringify(sub ?? '')}`);
}

async function save(args: string[]): Promise<void> {
  let flags;
  try {
    flags = parseFlags(args, { ...SAVE_FLAGS });
  } catch (err) {
    if (err instanceof FlagError) return usage(err.message);
    throw err;
  }
  const dataDir = resolve(String(flags['data-dir']));
  const endpoints = String(flags['datastore-endpoint']).split(',').map((e) => e.trim()).filter(Boolean);
  const read = (f: unknown) => (f ? readFileSync(resolve(String(f))) : undefined);
  let target;
  if (endpoints.length === 0 && hasManagedEtcd(dataDir)) {
    // The server's own member, on loopback, with the API server's etcd client certificate.
    const m = loadOrCreateMember(dataDir, { nodeName: '', nodeIP: '' });
    target = { endpoints: [m.localClientURL], tls: clientTLS(m) };
  } else {
    if (!endpoints.every((e) => /^https?:\/\//.test(e)) || endpoints.length === 0) {
      return usage('--datastore-endpoint must name the etcd members (http(s)://HOST:2379,...), or --data-dir a server that runs its own etcd; a SQLite datastore is backed up by copying its file while the server is stopped');
    }
    target = { endpoints, tls: { ca: read(flags['datastore-cafile']), cert: read(flags['datastore-certfile']), key: read(flags['datastore-keyfile']) } };
  }
  const file = flags.file ? resolve(String(flags.file)) : join(dataDir, 'db', 'snapshots', `on-demand-${hostname()}-${Math.floor(Date.now() / 1000)}`);
  try {
    const bytes = await saveEtcdSnapshot(target, file);
    process.stdout.write(`Snapshot saved to ${file} (${bytes} bytes)\n`);
  } catch (err) {
    process.stderr.write(`skiff etcd-snapshot save: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

function restore(args: string[]): void {
  const file = args[0] && !args[0].startsWith('--') ? resolve(args[0]) : '';
  let flags;
  try {
    flags = parseFlags(file ? args.slice(1) : args, { 'data-dir': { type: 'string', default: '/var/lib/skiff' } });
  } catch (err) {
    if (err instanceof FlagError) return usage(err.message);
    throw err;
  }
  if (!file) return usage('restore needs the snapshot file: skiff etcd-snapshot restore FILE [--data-dir DIR]');
  const dataDir = resolve(String(flags['data-dir']));
  try {
    const r = restoreSnapshot(dataDir, file);
    const m = loadOrCreateMember(dataDir, { nodeName: '', nodeIP: '' });
    process.stdout.write([
      `Restored ${file} into ${r.restoredDir}: a new etcd cluster whose only member is this server's (${r.memberName}).`,
      r.previousDir ? `The member's previous data is kept in ${r.previousDir}.` : '',
      '',
      `1. Start this server again on ${dataDir} (its usual flags; it serves the cluster as of the snapshot).`,
      '2. Every other server still holds the old cluster and must join the restored one afresh. On each:',
      '   stop it, move <its data-dir>/db/etcd away (keep the rest of its data dir), and start it with',
      `   --server https://${m.nodeIP}:<api port> --token-file ${join(dataDir, 'token')}   (the token of this server).`,
      `   Until two more have joined, the cluster tolerates ${faultTolerance(1)} failed servers.`,
      '',
    ].filter((l, i) => l !== '' || i > 1).join('\n'));
  } catch (err) {
    if (!(err instanceof RestoreError)) throw err;
    process.stderr.write(`skiff etcd-snapshot restore: ${err.message}\n`);
    process.exit(1);
  }
}

function usage(message: string): never {
  process.stderr.write([
    `skiff etcd-snapshot: ${message}`,
    'Usage:',
    '  skiff etcd-snapshot save [--data-dir DIR | --datastore-endpoint https://HOST:2379,... [--datastore-cafile F --datastore-certfile F --datastore-keyfile F]] [--file PATH]',
    '  skiff etcd-snapshot restore FILE [--data-dir DIR]   (the server on DIR stopped; see the message it prints for the other servers)',
    '',
  ].join('\n'));
  process.exit(2);
}
