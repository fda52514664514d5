// SPDX-License-Identifier: Apache-2.0
/**
 * NginxSupervisor runs the node's nginx (Debian's package) as the Ingress
 * data plane, as the kubelet's ContainerdSupervisor runs containerd: it
 * spawns the master in the foreground on a configuration in the agent's
 * data dir, restarts it with back-off when it dies, reloads it gracefully
 * (SIGHUP, what `nginx -s reload` sends: new workers start on the new
 * configuration, old ones finish their in-flight requests), validates
 * configurations with `nginx -t` first, and stops it with its workers.
 * The master runs under `setpriv --pdeathsig TERM`, so a Skiff that dies
 * without stopping it still ends it (SIGTERM makes the master end its
 * workers); a master left by a killed Skiff for the same data dir is found
 * by its pid file and ended on start. The master leads a process group of
 * its own (perl's setpgrp before exec), which its workers join, so the
 * workers of a crashed master are found and ended too. It stays in Skiff's
 * session: a session of its own (setsid, Node's `detached`) puts it in a
 * scheduler autogroup of its own, which on a busy machine measured at a
 * third of the throughput.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { logTail } from '../machinery/index.js';

/** NginxSupervisorOptions configure one node's nginx. */
export interface NginxSupervisorOptions {
  /** dir is the data plane's directory: nginx.conf, nginx.pid and error.log live there. */
  dir: string;
  /** binary defaults to nginx on PATH (Debian installs /usr/sbin/nginx). */
  binary?: string;
  /** readyTimeoutMs bounds start() (default 15 s). */
  readyTimeoutMs?: number;
  /** onExit is told of each unexpected exit (the controller reports it; the supervisor restarts nginx). */
  onExit?: (how: string) => void;
  log?: (line: string) => void;
}

const SETPRIV = '/usr/bin/setpriv';
const PERL = '/usr/bin/perl';
/** OWN_PROCESS_GROUP makes the process a group leader (setpgid(0, 0), not setsid) and execs its arguments. */
const OWN_PROCESS_GROUP = 'setpgrp(0, 0); exec { $ARGV[0] } @ARGV or die "exec $ARGV[0]: $!\\n"';
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;
// A master that stayed up this long was healthy; its next crash starts the back-off over.
const HEALTHY_AFTER_MS = 10_000;

/** NginxSupervisor starts, watches, reloads and stops one nginx master. */
export class NginxSupervisor {
  readonly configPath: string;
  readonly pidPath: string;
  readonly errorLogPath: string;
  readonly #opts: NginxSupervisorOptions;
  #child?: ChildProcess;
  #childExited: Promise<void> = Promise.resolve();
  #stopping = false;
  #restarts = 0;
  #failuresInARow = 0;
  #restartTimer?: NodeJS.Timeout;

  constructor(opts: NginxSupervisorOptions) {
    this.#opts = opts;
    this.configPath = join(opts.dir, 'nginx.conf');
    this.pidPath = join(opts.dir, 'nginx.pid');
    this.errorLogPath = join(opts.dir, 'error.log');
  }

  get #binary(): string {
    return this.#opts.binary ?? 'nginx';
  }

  /** pid is the running master's process ID, if any. */
  get pid(): number | undefined {
    return this.#child && this.#child.exitCode === null && this.#child.signalCode === null ? this.#child.pid : undefined;
  }

  /** restarts counts restarts after unexpected exits. */
  get restarts(): number {
    return this.#restarts;
  }

  /** workerPids lists the master's current children (its workers, and old workers still draining after a reload). */
  workerPids(): number[] {
    return this.pid ? childrenOf(this.pid) : [];
  }

  /** test runs `nginx -t` on a configuration file; it resolves to '' when valid, else nginx's complaint. */
  test(configPath: string): Promise<string> {
    return new Promise((resolve) => {
      execFile(this.#binary, ['-t', '-q', ...this.#args(configPath)], { timeout: 30_000 }, (err, stdout, stderr) => {
        resolve(err ? (String(stderr).trim() || err.message) : '');
      });
    });
  }

  #args(configPath: string): string[] {
    // -p and -e keep nginx off the package's /etc/nginx and /var/log/nginx, even before it has read the configuration.
    return ['-p', `${this.#opts.dir}/`, '-e', this.errorLogPath, '-c', configPath];
  }

  /** start spawns the master on configPath (already written and tested) and resolves once it has bound its ports. */
  async start(): Promise<void> {
    if (this.#child) throw new Error('nginx supervisor already started');
    this.#stopping = false;
    await this.#stopStale();
    this.#spawn();
    await this.#waitReady(this.#child!);
  }

  /**
   * reload makes the master re-read its configuration. It resolves once a
   * worker on the new configuration runs and no worker on the old one still
   * accepts connections (old workers retitle themselves "shutting down" as
   * they close their listeners and finish what they hold), or after timeoutMs.
   */
  async reload(timeoutMs = 10_000): Promise<void> {
    const pid = this.pid;
    if (!pid) throw new Error('nginx is not running');
    const before = new Set(childrenOf(pid));
    process.kill(pid, 'SIGHUP');
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && this.pid === pid) {
      const accepting = childrenOf(pid).filter(isAccepting);
      if (accepting.some((c) => !before.has(c)) && !accepting.some((c) => before.has(c))) return;
      await sleep(20);
    }
  }

  // A master left running by a killed Skiff for this same directory holds the ports; its command line names our configuration.
  async #stopStale(): Promise<void> {
    let pid: number;
    try {
      pid = Number(readFileSync(this.pidPath, 'utf8').trim());
    } catch {
      return;
    }
    if (!Number.isInteger(pid) || pid <= 1 || !commandLineOf(pid).includes(this.configPath)) return;
    this.#log(`stopping stale nginx master pid ${pid}`);
    await terminate(pid, 10_000);
  }

  #spawn(): void {
    const args = [...this.#args(this.configPath)];
    // perl-base is Essential in Debian; without it the master shares Skiff's group and a crashed master's workers stay.
    const inner = existsSync(PERL) ? [PERL, '-e', OWN_PROCESS_GROUP, this.#binary, ...args] : [this.#binary, ...args];
    const argv = existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'TERM', '--', ...inner] : inner;
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const startedAt = Date.now();
    this.#log(`nginx started, pid ${child.pid}`);
    this.#childExited = new Promise((resolve) => {
      child.once('error', (err) => this.#log(`nginx could not start: ${err.message}`));
      child.once('close', (code, signal) => {
        resolve();
        this.#onExit(child, code, signal, Date.now() - startedAt, stderr.trim());
      });
    });
  }

  async #waitReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + (this.#opts.readyTimeoutMs ?? 15_000);
    // nginx writes its pid file after binding every listener.
    while (Date.now() < deadline) {
      if (this.#child !== child || child.exitCode !== null || child.signalCode !== null) break;
      if (readPid(this.pidPath) === child.pid) return;
      await sleep(20);
    }
    throw new Error(`nginx did not start: ${this.logTail(5)}`);
  }

  #onExit(child: ChildProcess, code: number | null, signal: string | null, ranMs: number, stderr: string): void {
    if (this.#child !== child) return;
    if (this.#stopping) {
      this.#child = undefined;
      return;
    }
    this.#failuresInARow = ranMs >= HEALTHY_AFTER_MS ? 1 : this.#failuresInARow + 1;
    const delay = Math.min(FIRST_BACKOFF_MS * 2 ** (this.#failuresInARow - 1), MAX_BACKOFF_MS);
    const how = `nginx exited (code ${code}, signal ${signal}) after ${ranMs} ms${stderr ? `: ${stderr}` : ''}`;
    this.#log(`${how}; restarting in ${delay} ms`);
    this.#opts.onExit?.(how);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (this.#stopping) return;
      this.#restarts++;
      // The crashed master's workers may still hold the ports; they are in its process group.
      if (child.pid) tryKill(-child.pid, 'SIGKILL');
      this.#spawn();
      this.#waitReady(this.#child!).catch((err: Error) => this.#log(err.message));
    }, delay);
  }

  /** logTail returns the last lines of nginx's error log, for error messages. */
  logTail(lines = 20): string {
    return logTail(this.errorLogPath, lines);
  }

  /** stop ends nginx (SIGTERM: workers close their connections; SIGKILL after timeoutMs) and stops supervising it. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.#stopping = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    const child = this.#child;
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const exited = await Promise.race([this.#childExited.then(() => true), sleep(timeoutMs).then(() => false)]);
      if (!exited) {
        this.#log(`nginx did not exit within ${timeoutMs} ms; killing it`);
        child.kill('SIGKILL');
        await this.#childExited;
      }
      // Workers of a master that was killed, or that missed the master's word, are still in its group.
      tryKill(-child.pid, 'SIGKILL');
    }
    this.#child = undefined;
    this.#log('nginx stopped');
  }

  #log(line: string): void {
    this.#opts.log?.(`nginx-supervisor: ${line}`);
  }
}

function readPid(path: string): number | undefined {
  try {
    return Number(readFileSync(path, 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** childrenOf lists a process's children (Linux /proc/PID/task/PID/children; the nginx master is single-threaded). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** isAccepting is true for a worker taking new connections: not one draining after a reload (nginx retitles it), nor an exited one. */
function isAccepting(pid: number): boolean {
  const title = commandLineOf(pid);
  return title.startsWith('nginx: worker process') && !title.includes('shutting down');
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

async function terminate(master: number, timeoutMs: number): Promise<void> {
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  tryKill(master, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (alive(master) && Date.now() < deadline) await sleep(50);
  tryKill(-master, 'SIGKILL');
  tryKill(master, 'SIGKILL');
}
