// SPDX-License-Identifier: Apache-2.0
/**
 * Test harness: a real etcd cluster from Debian's /usr/bin/etcd, one process
 * per member on free loopback ports, each in its own temporary data dir.
 * Members can be killed (SIGKILL) and started again on the same data and
 * ports to test failover and quorum loss; stop() kills every process and
 * removes every directory, also after a failed test.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server-harness.js';
import { waitFor } from './wait-for.js';

export const ETCD_BIN = '/usr/bin/etcd';

export interface EtcdMember {
  name: string;
  clientURL: string;
  peerURL: string;
  dataDir: string;
  process?: ChildProcess;
}

export interface EtcdCluster {
  members: EtcdMember[];
  /** endpoints is every member's client URL, comma-separated, as --datastore-endpoint takes them. */
  endpoints: string;
  /** kill SIGKILLs one member (its data stays). */
  kill(i: number): Promise<void>;
  /** start starts a killed member again on its data dir. */
  start(i: number): Promise<void>;
  logs(i: number): string;
  stop(): Promise<void>;
}

export interface EtcdClusterOptions {
  size?: number;
  /** etcd's --experimental-watch-progress-notify-interval (default 5s, as upstream recommends for the apiserver). */
  progressNotifyInterval?: string;
  /** restoreFrom starts the members from a snapshot file (`etcdctl snapshot restore` into each data dir). */
  restoreFrom?: string;
}

/**
 * startEtcdCluster starts `size` members as one new cluster and waits until it
 * has a leader. A free port can be taken by another process between finding
 * it and etcd binding it; then the cluster is started again on new ports.
 */
export async function startEtcdCluster(opts: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await tryStartEtcdCluster(opts);
    } catch (err) {
      if (attempt >= 3 || !/address already in use/.test((err as Error).message)) throw err;
    }
  }
}

async function tryStartEtcdCluster(opts: EtcdClusterOptions): Promise<EtcdCluster> {
  const size = opts.size ?? 1;
  const root = mkdtempSync(join(tmpdir(), 'skiff-etcd-'));
  const members: EtcdMember[] = [];
  for (let i = 0; i < size; i++) {
    members.push({ name: `m${i}`, clientURL: `http://127.0.0.1:${await freePort()}`, peerURL: `http://127.0.0.1:${await freePort()}`, dataDir: join(root, `m${i}`) });
  }
  const initialCluster = members.map((m) => `${m.name}=${m.peerURL}`).join(',');
  const logs = members.map(() => '');
  const exits = new Map<number, Promise<void>>();
  const launch = (i: number) => {
    const m = members[i]!;
    const child = spawn(ETCD_BIN, [
      '--name', m.name, '--data-dir', m.dataDir,
      '--listen-client-urls', m.clientURL, '--advertise-client-urls', m.clientURL,
      '--listen-peer-urls', m.peerURL, '--initial-advertise-peer-urls', m.peerURL,
      '--initial-cluster', initialCluster, '--initial-cluster-state', 'new', '--initial-cluster-token', `skiff-test-${process.pid}`,
      '--experimental-watch-progress-notify-interval', opts.progressNotifyInterval ?? '5s',
      '--logger', 'zap', '--log-level', 'warn',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (logs[i] += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (logs[i] += d.toString()));
    exits.set(i, new Promise((resolve) => child.on('exit', () => resolve())));
    m.process = child;
  };
  const kill = async (i: number) => {
    const m = members[i]!;
    if (m.process && m.process.exitCode === null && m.process.signalCode === null) m.process.kill('SIGKILL');
    await exits.get(i);
    m.process = undefined;
  };
  const cluster: EtcdCluster = {
    members,
    endpoints: members.map((m) => m.clientURL).join(','),
    kill,
    async start(i) {
      launch(i);
      await waitFor(`etcd member ${i} to answer`, () => healthy(members[i]!.clientURL), 30_000, 100);
    },
    logs: (i) => logs[i]!,
    async stop() {
      for (let i = 0; i < members.length; i++) await kill(i);
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    if (opts.restoreFrom) {
      for (const m of members) {
        const r = spawnSync('etcdctl', ['snapshot', 'restore', opts.restoreFrom, '--data-dir', m.dataDir, '--name', m.name,
          '--initial-cluster', initialCluster, '--initial-cluster-token', `skiff-test-${process.pid}`, '--initial-advertise-peer-urls', m.peerURL],
        { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' } });
        if (r.status !== 0) throw new Error(`etcdctl snapshot restore failed: ${r.stderr}`);
      }
    }
    for (let i = 0; i < size; i++) launch(i);
    const deadline = Date.now() + 30_000;
    for (const m of members) {
      while (!(await healthy(m.clientURL))) {
        // A member that exited (its port taken, say) will not become healthy: fail now, with its log.
        if (members.some((x) => x.process && x.process.exitCode !== null)) throw new Error('an etcd member exited during start-up');
        if (Date.now() > deadline) throw new Error(`timed out waiting for etcd member ${m.name} to be healthy`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    await cluster.stop();
    throw new Error(`${(err as Error).message}\n${logs.join('\n')}`);
  }
  return cluster;
}

/** healthy asks a member's /health endpoint (true once the cluster has a leader and the member serves). */
async function healthy(clientURL: string): Promise<boolean> {
  try {
    const r = await fetch(`${clientURL}/health`, { signal: AbortSignal.timeout(2_000) });
    return r.ok && ((await r.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}
