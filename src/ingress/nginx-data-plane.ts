// SPDX-License-Identifier: Apache-2.0
/**
 * The Ingress data plane: nginx, configured from the routing table. Each
 * apply renders the table, writes the certificates it names (mode 0600,
 * content-addressed, so a reload never sees a half-written one), writes the
 * candidate configuration atomically, validates it with `nginx -t`, and only
 * then moves it into place and reloads. A rejected candidate leaves the
 * running configuration serving; its error names the Ingress that produced
 * the offending line when nginx says which line. The state (pid, ports,
 * the last apply's outcome as a condition) is kept in status.json for
 * `skiff status`.
 */
import { createHash } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer, isIP } from 'node:net';
import { join } from 'node:path';
import { writeFileAtomic } from '../machinery/index.js';
import { renderNginxConfig } from './nginx-config.js';
import { NginxSupervisor } from './nginx-supervisor.js';
import type { RouteTable } from './route-table.js';
import type { TLSStore } from './tls-store.js';

/** NginxDataPlaneOptions configures the listeners and where nginx's files live. */
export interface NginxDataPlaneOptions {
  /** dir is the data plane's directory in the agent's data dir (created 0700). */
  dir: string;
  httpPort: number;
  httpsPort: number;
  bindAddress: string;
  nginxBinary?: string;
  workerProcesses?: number | 'auto';
  /** onExit is told when nginx dies unexpectedly (it is restarted). */
  onExit?: (how: string) => void;
  log?: (msg: string) => void;
}

/** ApplyResult is the outcome of one apply: whether nginx reloaded, or why the configuration was rejected. */
export interface ApplyResult {
  changed: boolean;
  /** error is nginx -t's complaint when the configuration was rejected. */
  error?: string;
  /** culprit is the `namespace/name` of the Ingress behind the rejected line, when nginx named one. */
  culprit?: string;
  /** skipped are paths that could not be rendered at all. */
  skipped: { ingress: string; message: string }[];
}

/** DataPlaneCondition is the condition `skiff status` shows, shaped like a Kubernetes condition. */
export interface DataPlaneCondition {
  type: 'ConfigurationApplied';
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

/** NginxDataPlane owns nginx and its files; apply() is called with each new table. */
export class NginxDataPlane {
  readonly #opts: NginxDataPlaneOptions;
  readonly supervisor: NginxSupervisor;
  readonly #binary: string | undefined;
  #httpPort = 0;
  #httpsPort = 0;
  #applied = '';
  #reloads = 0;
  #condition: DataPlaneCondition = { type: 'ConfigurationApplied', status: 'False', reason: 'Starting', message: 'nginx is starting', lastTransitionTime: new Date().toISOString() };
  #resolved = new Map<string, string[]>();

  constructor(opts: NginxDataPlaneOptions) {
    this.#opts = opts;
    // Resolved once, so nginx is found even when PATH lacks /usr/sbin.
    const binary = findCommand(opts.nginxBinary ?? 'nginx');
    this.#binary = binary;
    this.supervisor = new NginxSupervisor({ dir: opts.dir, binary, log: opts.log, onExit: (how) => this.#onExit(how) });
  }

  get httpPort(): number {
    return this.#httpPort;
  }

  get httpsPort(): number {
    return this.#httpsPort;
  }

  /** reloads counts configurations nginx reloaded onto since start. */
  get reloads(): number {
    return this.#reloads;
  }

  get condition(): DataPlaneCondition {
    return this.#condition;
  }

  get #certDir(): string {
    return join(this.#opts.dir, 'certs');
  }

  /** start binds nothing itself: it checks the ports are free (port 0 picks one), writes a first configuration and starts nginx. */
  async start(table: RouteTable, tls: TLSStore): Promise<void> {
    if (!this.#binary) {
      const name = this.#opts.nginxBinary ?? 'nginx';
      throw Object.assign(new Error(`${name} not found on PATH; the Ingress data plane is Debian's nginx: apt-get install nginx (skiff up installs it)`), { code: 'ENOENT' });
    }
    mkdirSync(this.#opts.dir, { recursive: true, mode: 0o700 });
    mkdirSync(this.#certDir, { recursive: true, mode: 0o700 });
    mkdirSync(join(this.#opts.dir, 'tmp'), { recursive: true });
    this.#httpPort = await freePort(this.#opts.bindAddress, this.#opts.httpPort);
    this.#httpsPort = await freePort(this.#opts.bindAddress, this.#opts.httpsPort);
    const first = await this.#write(table, tls);
    if (first.error) throw new Error(`nginx rejects the initial configuration: ${first.error}`);
    await this.supervisor.start();
    this.#setCondition('True', 'Applied', 'nginx is serving the current configuration');
  }

  /** apply renders, validates and reloads; an unchanged configuration costs no reload. */
  async apply(table: RouteTable, tls: TLSStore): Promise<ApplyResult> {
    await this.#resolveNames(table);
    const result = await this.#write(table, tls);
    if (result.error) {
      this.#setCondition('False', 'ConfigurationRejected', result.error);
      return result;
    }
    if (result.changed) {
      await this.supervisor.reload();
      this.#reloads++;
      this.#removeUnusedCertificates();
    }
    this.#setCondition('True', 'Applied', 'nginx is serving the current configuration');
    return result;
  }

  /** stop ends nginx and its workers. */
  async stop(): Promise<void> {
    await this.supervisor.stop();
    this.#setCondition('False', 'Stopped', 'the Ingress controller stopped');
  }

  async #write(table: RouteTable, tls: TLSStore): Promise<ApplyResult> {
    const certs = new Map<string, string>();
    const certificatePath = (host: string): string => {
      const pem = (host === '' ? tls.defaultCertificate : tls.certificateFor(host)).pem;
      const path = join(this.#certDir, `${createHash('sha256').update(pem).digest('hex').slice(0, 24)}.pem`);
      certs.set(path, pem);
      return path;
    };
    const rendered = renderNginxConfig({
      table, dir: this.#opts.dir, bindAddress: this.#opts.bindAddress, httpPort: this.#httpPort, httpsPort: this.#httpsPort,
      certificatePath, resolve: (h) => this.#resolved.get(h) ?? [], workerProcesses: this.#opts.workerProcesses,
    });
    if (rendered.text === this.#applied) return { changed: false, skipped: rendered.skipped };
    for (const [path, pem] of certs) writeFileAtomic(path, pem, 0o600);
    const candidate = `${this.supervisor.configPath}.candidate`;
    writeFileAtomic(candidate, rendered.text, 0o600);
    const error = await this.supervisor.test(candidate);
    if (error) {
      const line = /\.candidate:(\d+)/.exec(error)?.[1];
      return { changed: false, error, culprit: line ? rendered.owners[Number(line) - 1] || undefined : undefined, skipped: rendered.skipped };
    }
    renameSync(candidate, this.supervisor.configPath);
    this.#applied = rendered.text;
    return { changed: true, skipped: rendered.skipped };
  }

  /** resolveNames looks up endpoint hosts that are names (ExternalName Services), so nginx never fails to load on one. */
  async #resolveNames(table: RouteTable): Promise<void> {
    const names = new Set<string>();
    const targets = [table.defaultBackend, ...[...table.hosts.values()].flatMap((h) => [h.fallback, ...h.paths])];
    for (const t of targets) for (const ep of t?.upstream.endpoints ?? []) if (!isIP(ep.host)) names.add(ep.host);
    const resolved = new Map<string, string[]>();
    await Promise.all([...names].map(async (n) => {
      try {
        resolved.set(n, (await lookup(n, { all: true })).map((a) => a.address));
      } catch {
        resolved.set(n, []);
      }
    }));
    this.#resolved = resolved;
  }

  #removeUnusedCertificates(): void {
    for (const f of readdirSync(this.#certDir)) {
      const path = join(this.#certDir, f);
      if (!this.#applied.includes(path)) rmSync(path, { force: true });
    }
  }

  #onExit(how: string): void {
    this.#setCondition('False', 'NginxExited', `${how}; restarting`);
    this.#opts.onExit?.(how);
  }

  #setCondition(status: 'True' | 'False', reason: string, message: string): void {
    const prev = this.#condition;
    const lastTransitionTime = prev.status === status ? prev.lastTransitionTime : new Date().toISOString();
    this.#condition = { type: 'ConfigurationApplied', status, reason, message, lastTransitionTime };
    const state = { pid: this.supervisor.pid, httpPort: this.#httpPort, httpsPort: this.#httpsPort, reloads: this.#reloads, restarts: this.supervisor.restarts, conditions: [this.#condition] };
    try {
      writeFileAtomic(join(this.#opts.dir, STATUS_FILE), `${JSON.stringify(state, null, 2)}\n`, 0o644);
    } catch (err) {
      this.#opts.log?.(`ingress: cannot write ${STATUS_FILE}: ${(err as Error).message}`);
    }
  }
}

/** STATUS_FILE in the data plane's directory holds its state for `skiff status`. */
export const STATUS_FILE = 'status.json';

/** findCommand returns the path of a command given as a path or found on PATH (and in the sbin directories root has). */
function findCommand(cmd: string): string | undefined {
  if (cmd.includes('/')) return existsSync(cmd) ? cmd : undefined;
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin'];
  return dirs.filter(Boolean).map((d) => join(d, cmd)).find((p) => existsSync(p));
}

/** DataPlaneState is what `skiff status` shows of a node's Ingress data plane. */
export interface DataPlaneState {
  running: boolean;
  pid?: number;
  httpPort?: number;
  httpsPort?: number;
  reloads?: number;
  restarts?: number;
  conditions: DataPlaneCondition[];
}

/** readDataPlaneState reads the data plane's state from its directory (status.json, and nginx.pid checked against /proc). */
export function readDataPlaneState(dir: string): DataPlaneState | undefined {
  let state: Omit<DataPlaneState, 'running'>;
  try {
    state = JSON.parse(readFileSync(join(dir, STATUS_FILE), 'utf8')) as Omit<DataPlaneState, 'running'>;
  } catch {
    return undefined;
  }
  let pid: number | undefined;
  try {
    pid = Number(readFileSync(join(dir, 'nginx.pid'), 'utf8').trim()) || undefined;
  } catch {
    pid = undefined;
  }
  const running = pid !== undefined && existsSync(`/proc/${pid}`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(join(dir, 'nginx.conf'));
  return { ...state, running, pid: running ? pid : undefined };
}

/** freePort checks a port can be bound (EADDRINUSE otherwise); asked for 0, it returns one the kernel picked. */
function freePort(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, host, () => {
      const bound = (s.address() as { port: number }).port;
      s.close(() => resolve(bound));
    });
  });
}
