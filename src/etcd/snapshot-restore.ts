// SPDX-License-Identifier: Apache-2.0
/**
 * restoreSnapshot resets a server's own etcd to a snapshot, as k3s's
 * `--cluster-reset --cluster-reset-restore-path`: the member's data is moved
 * aside and `etcdctl snapshot restore` writes the snapshot as a new
 * one-member cluster of this server's member (same name and peer URL), with
 * a new cluster ID, so the other servers' old members cannot talk it back
 * into the old state. The other servers must then join it afresh (the
 * message says how).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { hasManagedEtcd, loadOrCreateMember } from './member-config.js';
import { join } from 'node:path';

export interface RestoreResult {
  memberName: string;
  restoredDir: string;
  /** previousDir holds the member's data as it was before the restore (undefined when there was none). */
  previousDir?: string;
}

export class RestoreError extends Error {}

export function restoreSnapshot(dataDir: string, file: string, o: { etcdctl?: string } = {}): RestoreResult {
  if (!existsSync(file)) throw new RestoreError(`snapshot ${file} not found`);
  if (!hasManagedEtcd(dataDir)) {
    throw new RestoreError(`${dataDir} holds no etcd member of a server (started with --cluster-init or --server): restore an external etcd with its own tools (etcdctl snapshot restore on each member)`);
  }
  const pidFile = join(dataDir, 'db', 'etcd.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      // not running
    }
    if (cmdline.includes(dataDir)) throw new RestoreError(`the server on ${dataDir} is running (its etcd is pid ${pid}): stop it first`);
  }
  const m = loadOrCreateMember(dataDir, { nodeName: '', nodeIP: '' });
  let previousDir: string | undefined;
  if (existsSync(m.etcdDataDir)) {
    previousDir = `${m.etcdDataDir}-old-${Math.floor(Date.now() / 1000)}`;
    renameSync(m.etcdDataDir, previousDir);
  }
  const r = spawnSync(o.etcdctl ?? 'etcdctl', [
    'snapshot', 'restore', file, '--data-dir', m.etcdDataDir, '--name', m.name,
    '--initial-cluster', `${m.name}=${m.peerURL}`, '--initial-advertise-peer-urls', m.peerURL,
    // A cluster token of its own: members of the old cluster are not mistaken for members of this one.
    '--initial-cluster-token', `skiff-restore-${Date.now()}`,
  ], { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' } });
  if (r.status !== 0) {
    if (previousDir && !existsSync(m.etcdDataDir)) renameSync(previousDir, m.etcdDataDir);
    throw new RestoreError(`etcdctl snapshot restore failed${r.error ? ` (${r.error.message}: install Debian's etcd-client)` : ''}: ${(r.stderr || '').trim()}`);
  }
  return { memberName: m.name, restoredDir: m.etcdDataDir, previousDir };
}
