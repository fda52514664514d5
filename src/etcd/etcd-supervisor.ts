// SPDX-License-Identifier: Apache-2.0
/**
 * EtcdSupervisor runs the server's own etcd member (Debian's /usr/bin/etcd)
 * as a child process and keeps it running, as k3s's embedded etcd lives and
 * dies with the server: the child gets SIGKILL when the server process dies
 * (setpriv's parent-death signal, so a SIGKILLed server takes its member
 * with it, like a machine that fails), a member that exits is started again
 * after a back-off, and one removed from the cluster is left stopped with a
 * message saying so. A member left over from a server that died without
 * setpriv is found through its pid file and stopped first.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EtcdClient } from '../storage/index.js';
import type { Component } from '../machinery/index.js';
import { clientTLS, type MemberLayout } from './member-config.js';

export const ETCD_BINARY = '/usr/bin/etcd';

/** Bootstrap says how a member without data joins: a new cluster of itself, or an existing one (after MemberAdd). */
export type Bootstrap = { state: 'new' } | { state: 'existing'; initialCluster: string };

export interface EtcdSupervisorOptions {
  member: MemberLayout;
  /** bootstrap is used only when the member has no data yet; a member with data rejoins from what it stored. */
  bootstrap: Bootstrap;
  binary?: string;
  log: (msg: string) => void;
}

const REMOVED = /the member has been permanently removed from the cluster|member .* has already been removed/;

export class EtcdSupervisor implements Component {
  readonly name = 'etcd';
  readonly #o: EtcdSupervisorOptions;
  #child?: ChildProcess;
  #stopping = false;
  #tail = '';
  #exited?: Promise<void>;

  constructor(o: EtcdSupervisorOptions) {
    this.#o = o;
  }

  get #pidFile(): string {
    return join(this.#o.member.dataDir, 'db', 'etcd.pid');
  }

  /** start launches the member and resolves once it answers on loopback (it may still wait for quorum: see waitServing). */
  async start(): Promise<void> {
    this.#stopStale();
    this.#launch();
  }

  /** waitServing resolves when the member answers Status; it logs what it waits for every 10 s. */
  async waitServing(signal?: AbortSignal): Promise<void> {
    const client = new EtcdClient({ endpoints: [this.#o.member.localClientURL], tls: clientTLS(this.#o.member), requestTimeoutMs: 2_000 });
    const started = Date.now();
    let lastNote = started;
    try {
      for (;;) {
        if (signal?.aborted || this.#stopping) throw new Error('stopped while waiting for etcd');
        try {
          const s = await client.status();
          if (s.leader && s.leader !== '0') return;
        } catch {
          // not up yet, or no quorum
        }
        if (Date.now() - lastNote > 10_000) {
          lastNote = Date.now();
          this.#o.log(`etcd: member ${this.#o.member.name} is not serving yet (${Math.round((Date.now() - started) / 1000)}s): it needs a majority of the cluster's members up to elect a leader`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      client.close();
    }
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await this.#exited;
    }
    rmSync(this.#pidFile, { force: true });
  }

  #args(): string[] {
    const m = this.#o.member;
    const f = m.files;
    const args = [
      '--name', m.name, '--data-dir', m.etcdDataDir,
      '--listen-client-urls', [...new Set([m.localClientURL, m.clientURL])].join(','), '--advertise-client-urls', m.clientURL,
      '--listen-peer-urls', m.peerURL, '--initial-advertise-peer-urls', m.peerURL,
      '--client-cert-auth', '--trusted-ca-file', f.ca, '--cert-file', f.serverCert, '--key-file', f.serverKey,
      '--peer-client-cert-auth', '--peer-trusted-ca-file', f.ca, '--peer-cert-file', f.serverCert, '--peer-key-file', f.serverKey,
      // The API server's watch bookmarks come from progress notifications (as kube-apiserver asks of etcd).
      '--experimental-watch-progress-notify-interval', '5s',
      '--logger', 'zap', '--log-level', 'warn',
    ];
    const b = this.#o.bootstrap;
    if (b.state === 'new') args.push('--initial-cluster', `${m.name}=${m.peerURL}`, '--initial-cluster-state', 'new');
    else args.push('--initial-cluster', b.initialCluster, '--initial-cluster-state', 'existing');
    return args;
  }

  #launch(): void {
    const binary = this.#o.binary ?? ETCD_BINARY;
    if (!existsSync(binary)) throw new Error(`${binary} not found: servers that run their own etcd need Debian's etcd-server package (apt-get install etcd-server)`);
    mkdirSync(this.#o.member.etcdDataDir, { recursive: true, mode: 0o700 });
    // setpriv (util-linux) sets the parent-death signal, then execs etcd: the member dies with this process.
    const argv = hasSetpriv() ? ['setpriv', '--pdeathsig', 'KILL', '--', binary, ...this.#args()] : [binary, ...this.#args()];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.#tail = '';
    const keep = (d: Buffer) => {
      this.#tail = (this.#tail + d.toString()).slice(-8192);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    if (child.pid) writeFileSync(this.#pidFile, `${child.pid}\n`, { mode: 0o600 });
    this.#o.log(`etcd: started member ${this.#o.member.name} (pid ${child.pid}), clients ${this.#o.member.localClientURL},${this.#o.member.clientURL}, peers ${this.#o.member.peerURL}`);
    this.#exited = new Promise((resolve) => child.once('exit', (code, sig) => {
      resolve();
      this.#onExit(code, sig);
    }));
  }

  #restarts = 0;

  #onExit(code: number | null, sig: NodeJS.Signals | null): void {
    if (this.#stopping) return;
    const lastLines = this.#tail.trim().split('\n').slice(-5).join('\n');
    if (REMOVED.test(this.#tail)) {
      this.#o.log(`etcd: member ${this.#o.member.name} was removed from the cluster and stopped; this server has no datastore. To serve again, move ${this.#o.member.etcdDataDir} away and join again with --server URL --token TOKEN`);
      return;
    }
    const delay = Math.min(1000 * 2 ** this.#restarts++, 10_000);
    this.#o.log(`etcd: member exited (${code ?? sig}); starting it again in ${delay / 1000}s. Its last lines:\n${lastLines}`);
    setTimeout(() => {
      if (!this.#stopping) this.#launch();
    }, delay).unref();
  }

  /** stopStale stops a member a crashed server left running on this data dir (only when setpriv could not tie it to its server). */
  #stopStale(): void {
    if (!existsSync(this.#pidFile)) return;
    const pid = Number(readFileSync(this.#pidFile, 'utf8').trim());
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      // gone
    }
    if (pid && cmdline.includes(this.#o.member.etcdDataDir)) {
      this.#o.log(`etcd: stopping member pid ${pid} left running on ${this.#o.member.etcdDataDir}`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(this.#pidFile, { force: true });
  }
}

let setpriv: boolean | undefined;
function hasSetpriv(): boolean {
  setpriv ??= spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;
  return setpriv;
}
