// SPDX-License-Identifier: Apache-2.0
/**
 * ContainerdSupervisor runs the private containerd of one Skiff node: it
 * writes config.toml and the CNI network under the node's data directory,
 * spawns `containerd --config`, waits until the CRI plugin reports
 * RuntimeReady and NetworkReady, restarts containerd with back-off when it
 * dies, and stops it gracefully. Pods keep running across a containerd
 * restart (their shims are separate processes), as with a systemd-managed
 * containerd; removing pods is the kubelet's (or test harness's) job.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { BlockList, isIPv4 } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CriClient } from '../cri/cri-client.js';
import { PAUSE_IMAGE } from '../../images/index.js';
import {
  cniNetworkName, containerdLayout, defaultBridgeName, renderCniConflist, renderContainerdConfig,
  type ContainerdLayout,
} from './containerd-config.js';
import { logTail } from '../../machinery/index.js';

/** ContainerdSupervisorOptions configure one node's containerd. */
export interface ContainerdSupervisorOptions {
  /** dataDir is the node's data directory; containerd's files go under `<dataDir>/containerd` and `<dataDir>/cni`. */
  dataDir: string;
  /** podCIDR is the IPv4 range of this node's pods, e.g. "10.89.0.0/24". */
  podCIDR: string;
  /** mtu of the pods' interfaces and bridge (default: the kernel's, 1500). */
  mtu?: number;
  /** bridgeName defaults to "skiff" + a hash of dataDir, unique per data dir. */
  bridgeName?: string;
  /** logLevel of containerd (default "info"). */
  logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  /** sandboxImage defaults to Skiff's pause image; it must be imported before the first pod. */
  sandboxImage?: string;
  containerdBinary?: string;
  runcBinary?: string;
  cniBinDir?: string;
  /**
   * registryConfigPath is the directory of per-registry `hosts.toml` files
   * (`<dir>/<host:port>/hosts.toml`, e.g. `ca = "/path/ca.crt"` for a private
   * registry's CA), rendered as the CRI plugin's `registry.config_path`.
   * Default `<dataDir>/containerd/certs.d`, created if missing.
   */
  registryConfigPath?: string;
  /** readyTimeoutMs bounds start() and waitReady() (default 30 s). */
  readyTimeoutMs?: number;
  /** log receives one line per supervisor event (start, exit, restart). */
  log?: (line: string) => void;
}

const MAX_BACKOFF_MS = 10_000;
const FIRST_BACKOFF_MS = 250;
// A containerd that stayed up this long was healthy; its next crash starts the back-off over.
const HEALTHY_AFTER_MS = 10_000;

/** ContainerdSupervisor starts, watches and stops a private containerd. */
export class ContainerdSupervisor {
  readonly layout: ContainerdLayout;
  readonly bridgeName: string;
  readonly networkName: string;
  readonly podCIDR: string;
  readonly #opts: ContainerdSupervisorOptions;
  #child: ChildProcess | undefined;
  #childExited: Promise<void> = Promise.resolve();
  #stopping = false;
  #restarts = 0;
  #failuresInARow = 0;
  #restartTimer: NodeJS.Timeout | undefined;

  constructor(options: ContainerdSupervisorOptions) {
    validatePodCIDR(options.podCIDR);
    this.#opts = options;
    this.layout = containerdLayout(options.dataDir);
    this.bridgeName = options.bridgeName ?? defaultBridgeName(options.dataDir);
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(this.bridgeName)) throw new Error(`invalid bridge name ${this.bridgeName}`);
    this.networkName = cniNetworkName(options.dataDir);
    this.podCIDR = options.podCIDR;
  }

  /** socketPath is containerd's gRPC (and CRI) socket. */
  get socketPath(): string {
    return this.layout.socketPath;
  }

  /** pid is the running containerd's process ID, if any. */
  get pid(): number | undefined {
    return this.#child?.exitCode === null ? this.#child.pid : undefined;
  }

  /** restarts counts restarts after unexpected exits. */
  get restarts(): number {
    return this.#restarts;
  }

  /** start writes the configuration, spawns containerd and resolves once its CRI plugin is ready. */
  async start(): Promise<void> {
    if (this.#child) throw new Error('containerd supervisor already started');
    this.#stopping = false;
    this.#writeFiles();
    await this.#stopStale();
    this.#spawn();
    await this.waitReady();
  }

  #writeFiles(): void {
    const l = this.layout;
    const registryConfigPath = this.#opts.registryConfigPath ?? l.registryConfigDir;
    for (const dir of [l.dir, l.root, l.state, l.optDir, l.runcRoot, l.cniConfDir, l.ipamDir, registryConfigPath]) mkdirSync(dir, { recursive: true });
    writeFileSync(l.configPath, renderContainerdConfig({
      layout: l,
      sandboxImage: this.#opts.sandboxImage ?? PAUSE_IMAGE,
      logLevel: this.#opts.logLevel ?? 'info',
      cniBinDir: this.#opts.cniBinDir ?? '/usr/lib/cni',
      runcBinary: this.#opts.runcBinary ?? '/usr/sbin/runc',
      registryConfigPath,
    }));
    writeFileSync(l.cniConfPath, renderCniConflist({
      networkName: this.networkName, bridgeName: this.bridgeName, podCIDR: this.podCIDR, ipamDir: l.ipamDir, mtu: this.#opts.mtu,
    }));
  }

  // A containerd left running by a crashed Skiff for this same data dir holds the socket
  // and the bolt database lock; it is ours (its command line names our config), so end it.
  async #stopStale(): Promise<void> {
    let pid: number;
    try {
      pid = Number(readFileSync(this.layout.pidPath, 'utf8').trim());
    } catch {
      return;
    }
    if (!Number.isInteger(pid) || pid <= 1 || !commandLineOf(pid).includes(this.layout.configPath)) return;
    this.#log(`stopping stale containerd pid ${pid}`);
    await terminate(pid, 10_000);
  }

  #spawn(): void {
    const logFd = openSync(this.layout.logPath, 'a');
    const args = ['--config', this.layout.configPath];
    try {
      this.#child = spawn(this.#opts.containerdBinary ?? 'containerd', args, {
        stdio: ['ignore', logFd, logFd],
        env: { ...process.env, PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
      });
    } finally {
      closeSync(logFd);
    }
    const child = this.#child;
    const startedAt = Date.now();
    writeFileSync(this.layout.pidPath, `${child.pid}\n`);
    this.#log(`containerd started, pid ${child.pid}`);
    this.#childExited = new Promise((resolve) => {
      child.once('error', (err) => this.#log(`containerd could not start: ${err.message}`));
      child.once('exit', (code, signal) => {
        resolve();
        this.#onExit(child, code, signal, Date.now() - startedAt);
      });
    });
  }

  #onExit(child: ChildProcess, code: number | null, signal: string | null, ranMs: number): void {
    if (this.#child !== child) return;
    if (this.#stopping) {
      this.#child = undefined;
      rmSync(this.layout.pidPath, { force: true });
      return;
    }
    this.#failuresInARow = ranMs >= HEALTHY_AFTER_MS ? 1 : this.#failuresInARow + 1;
    const delay = Math.min(FIRST_BACKOFF_MS * 2 ** (this.#failuresInARow - 1), MAX_BACKOFF_MS);
    this.#log(`containerd exited (code ${code}, signal ${signal}) after ${ranMs} ms; restarting in ${delay} ms`);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (this.#stopping) return;
      this.#restarts++;
      this.#spawn();
    }, delay);
  }

  /** waitReady resolves once containerd answers Version and reports RuntimeReady and NetworkReady. */
  async waitReady(timeoutMs = this.#opts.readyTimeoutMs ?? 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastProblem = 'not started';
    // containerd is usually ready a few hundred ms after its spawn and the node's start waits on it: poll often at
    // first, then every 100 ms.
    let pollMs = 10;
    while (Date.now() < deadline) {
      if (this.#stopping) throw new Error('containerd supervisor is stopping');
      lastProblem = await this.#readiness();
      if (lastProblem === '') return;
      await sleep(pollMs);
      pollMs = Math.min(100, pollMs * 2);
    }
    throw new Error(`containerd not ready after ${timeoutMs} ms: ${lastProblem}; see ${this.layout.logPath}:\n${this.logTail()}`);
  }

  // Returns '' when ready, else what is missing.
  async #readiness(): Promise<string> {
    if (!this.pid) return 'containerd is not running';
    let client: CriClient | undefined;
    try {
      client = await CriClient.connect(this.socketPath, { readyTimeoutMs: 500 });
      await client.version({ timeoutMs: 2000 });
      const conditions = (await client.status({}, { timeoutMs: 2000 })).status?.conditions ?? [];
      const notReady = ['RuntimeReady', 'NetworkReady'].filter((t) => !conditions.some((c) => c.type === t && c.status));
      return notReady.length ? `${notReady.join(', ')} false` : '';
    } catch (err) {
      return (err as Error).message;
    } finally {
      client?.close();
    }
  }

  /** logTail returns the last lines of containerd's log file, for error messages. */
  logTail(lines = 20): string {
    return logTail(this.layout.logPath, lines);
  }

  /** stop ends containerd with SIGTERM, then SIGKILL after timeoutMs, and stops supervising it. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.#stopping = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.#child = undefined;
      rmSync(this.layout.pidPath, { force: true });
      return;
    }
    child.kill('SIGTERM');
    const exited = await Promise.race([this.#childExited.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!exited) {
      this.#log(`containerd did not exit within ${timeoutMs} ms; killing it`);
      child.kill('SIGKILL');
      await this.#childExited;
    }
    this.#child = undefined;
    rmSync(this.layout.pidPath, { force: true });
    this.#log('containerd stopped');
  }

  /**
   * endLeftoverShims ends the runtime shims still addressing this containerd
   * after it stopped, for --cleanup-on-exit. A task being created when
   * containerd was killed leaves a shim the restarted containerd never
   * learns of (its bundle was still a dot-directory), so removing every pod
   * through CRI does not reach it.
   */
  async endLeftoverShims(timeoutMs = 5_000): Promise<void> {
    const marker = `-address ${this.layout.socketPath}`;
    const shims = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number)
      .filter((pid) => { const cmd = commandLineOf(pid); return cmd.includes('containerd-shim') && cmd.includes(marker); });
    for (const pid of shims) {
      this.#log(`ending leftover shim ${pid} (${commandLineOf(pid).trim()})`);
      await terminate(pid, timeoutMs).catch(() => undefined);
    }
  }

  #log(line: string): void {
    this.#opts.log?.(`containerd-supervisor: ${line}`);
  }
}

function validatePodCIDR(cidr: string): void {
  const [ip, bits] = cidr.split('/');
  const prefix = Number(bits);
  if (!isIPv4(ip ?? '') || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) {
    throw new Error(`podCIDR must be an IPv4 CIDR with a /8../30 prefix, got ${JSON.stringify(cidr)}`);
  }
  // Constructing a subnet checks the address is a valid network for the prefix length.
  new BlockList().addSubnet(ip, prefix, 'ipv4');
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

async function terminate(pid: number, timeoutMs: number): Promise<void> {
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (alive() && Date.now() < deadline) await sleep(50);
  if (alive()) process.kill(pid, 'SIGKILL');
}
