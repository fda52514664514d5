// SPDX-License-Identifier: Apache-2.0
/**
 * HAServers runs servers that manage their own etcd on MachineLab machines,
 * as a user sets them up: the first with `skiff server --cluster-init`, the
 * others with `skiff server --server https://FIRST:6443 --token-file
 * FIRST/token`, each in its own network namespace with its own data dir
 * (etcd's client and peer ports on the machine's address), plus agents
 * joined with a bootstrap token. Servers run without a node of their own
 * (--disable-agent) unless asked, so that containerd runs only where needed.
 *
 * stop() SIGTERMs agents then servers (together: a server stopping alone
 * after the others has no quorum to deregister with), sweeps each data
 * dir's leftovers (etcd members included: their command line names the data
 * dir), and removes the lab; leftovers() lists anything that survived.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxImage } from '../../../src/images/index.js';
import { loadKubeconfig } from '../../../src/client/index.js';
import { mountsUnder, processesMentioning } from '../harness/host-cleanup.js';
import { MachineLab } from './machine-lab.js';
import { SKIFF, startSkiff, sweepNodeLeftovers, type SkiffProcess } from './cluster.js';

// Short leases so failover takes seconds (upstream's defaults are 15 s / 10 s / 2 s).
const ELECTION = ['--leader-elect-lease-duration', '4s', '--leader-elect-renew-deadline', '3s', '--leader-elect-retry-period', '500ms'];
const READY = /skiff server ready at/;

export class HAServers {
  readonly lab: MachineLab;
  readonly servers: SkiffProcess[] = [];
  readonly agents: SkiffProcess[] = [];
  readonly #home: string;

  private constructor(lab: MachineLab) {
    this.lab = lab;
    this.#home = mkdtempSync(join(tmpdir(), 'skiff-haetcd-home-'));
  }

  /** start brings up `count` servers, the first with --cluster-init and each other joining the first; `withNode` lists those that run a node. */
  static async start(count: number, o: { extraArgs?: string[]; withNode?: number[] } = {}): Promise<HAServers> {
    const h = new HAServers(MachineLab.create());
    try {
      for (let i = 0; i < count; i++) await h.addServer(o.extraArgs, o.withNode?.includes(i));
      return h;
    } catch (err) {
      await h.stop();
      throw err;
    }
  }

  url(i: number): string {
    return `https://${this.servers[i]!.machine.ip}:6443`;
  }

  /**
   * addServer starts the next server: --cluster-init for the first, --server/--token-file (the first's token) for
   * the others; withNode runs the server's own node (containerd, kubelet) as k3s servers do, else --disable-agent.
   */
  async addServer(extraArgs: string[] = [], withNode = false): Promise<SkiffProcess> {
    const i = this.servers.length;
    const name = `s${i + 1}`;
    const m = this.lab.addMachine(name);
    const dataDir = mkdtempSync(join(tmpdir(), `skiff-haetcd-${name}-`));
    const joinArgs = i === 0 ? ['--cluster-init'] : ['--server', this.url(0), '--token-file', join(this.servers[0]!.dataDir, 'token')];
    const s = startSkiff(this.lab, m, name, dataDir, [
      'server', '--data-dir', dataDir, '--https-port', '6443', '--advertise-address', m.ip, '--node-name', name,
      ...(withNode ? ['--cleanup-on-exit', '--ingress-http-port', '18080', '--ingress-https-port', '18443'] : ['--disable-agent']), '--disable-dashboard', '--datastore-request-timeout', '5s', ...ELECTION, ...joinArgs, ...extraArgs,
    ], READY);
    this.servers.push(s);
    await s.start();
    // The admin kubeconfig names the server's loopback; the test reaches each server at its machine's address.
    const kc = readFileSync(join(dataDir, 'kubeconfig.yaml'), 'utf8').replace(/server: https:\/\/[^\s]+/, `server: https://${m.ip}:6443`);
    writeFileSync(this.kubeconfig(i), kc, { mode: 0o600 });
    return s;
  }

  kubeconfig(i: number): string {
    return join(this.#home, `kubeconfig-s${i + 1}.yaml`);
  }

  /** addAgent joins a machine as a node through server `via` with a bootstrap token, and imports the test image. */
  async addAgent(name: string, via: number): Promise<SkiffProcess> {
    const token = this.#cli(['token', 'create', '--kubeconfig', this.kubeconfig(via)]).trim();
    const m = this.lab.addMachine(name);
    const dataDir = mkdtempSync(join(tmpdir(), `skiff-haetcd-${name}-`));
    const a = startSkiff(this.lab, m, name, dataDir, [
      'agent', '--server', this.url(via), '--token', token, '--data-dir', dataDir, '--node-name', name, '--node-ip', m.ip, '--cleanup-on-exit',
    ], /node agent: node \S+ up/);
    this.agents.push(a);
    await a.start();
    const archive = join(dataDir, 'busybox.oci.tar');
    writeFileSync(archive, busyboxImage());
    try {
      this.#cli(['image', 'import', archive, '--data-dir', dataDir]);
    } finally {
      rmSync(archive, { force: true });
    }
    return a;
  }

  kubectl(i: number, args: string[], input?: string): { code: number; stdout: string; stderr: string } {
    const r = spawnSync('kubectl', args, { env: { ...process.env, KUBECONFIG: this.kubeconfig(i), HOME: this.#home }, input, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  kubectlOk(i: number, args: string[], input?: string): string {
    const r = this.kubectl(i, args, input);
    if (r.code !== 0) throw new Error(`kubectl (server s${i + 1}) ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** etcdctl runs etcdctl (v3 API) against server i's member with that server's etcd client certificate; it throws on failure. */
  etcdctl(i: number, args: string[]): string {
    const s = this.servers[i]!;
    const tls = join(s.dataDir, 'tls', 'etcd');
    const r = spawnSync('etcdctl', ['--endpoints', `https://${s.machine.ip}:2379`, '--cacert', join(tls, 'ca.crt'), '--cert', join(tls, 'client.crt'), '--key', join(tls, 'client.key'), '--command-timeout', '5s', ...args],
      { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' }, timeout: 30_000 });
    if (r.status !== 0) throw new Error(`etcdctl ${args.join(' ')} via s${i + 1}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** etcdMembers lists the etcd cluster's members through server i's member. */
  etcdMembers(i: number): { name: string; peerURLs: string[] }[] {
    const out = this.etcdctl(i, ['member', 'list', '-w', 'json']);
    return ((JSON.parse(out) as { members?: { name?: string; peerURLs?: string[] }[] }).members ?? []).map((m) => ({ name: m.name ?? '', peerURLs: m.peerURLs ?? [] }));
  }

  /** request sends one API request to server i as the admin and answers its status and body (JSON when it parses), whatever the status. */
  request(i: number, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: unknown; text: string }> {
    const kc = loadKubeconfig(this.kubeconfig(i));
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(`${this.url(i)}${path}`, {
        method, ca: kc.ca, cert: kc.cert, key: kc.key, timeout: 60_000,
        headers: { accept: 'application/json', ...(payload ? { 'content-type': contentType } : {}) },
      }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // plain text (health endpoints)
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} on s${i + 1}: no answer in 60s`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  #cli(args: string[]): string {
    const r = spawnSync(SKIFF[0]!, [...SKIFF.slice(1), ...args], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`skiff ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  }

  get #all(): SkiffProcess[] {
    return [...this.servers, ...this.agents];
  }

  async stop(): Promise<void> {
    this.lab.restoreAll();
    for (const a of [...this.agents].reverse()) {
      try {
        // A killed agent still has pods; a fresh start with --cleanup-on-exit adopts and removes them on the way out.
        if (!a.running() && processesMentioning(a.dataDir).length > 0) await a.start().catch(() => undefined);
        await a.stop();
      } catch {
        // swept below
      }
    }
    await Promise.all(this.servers.map((s) => s.stop().catch(() => undefined)));
    for (const p of this.#all) sweepNodeLeftovers(p.dataDir);
    this.lab.cleanup();
    for (const p of this.#all) if (!readFileSync('/proc/mounts', 'utf8').includes(p.dataDir)) rmSync(p.dataDir, { recursive: true, force: true });
    rmSync(this.#home, { recursive: true, force: true });
  }

  leftovers(): string[] {
    const left: string[] = [];
    for (const p of this.#all) {
      for (const pid of processesMentioning(p.dataDir)) left.push(`process ${pid} of ${p.nodeName}`);
      for (const m of mountsUnder(p.dataDir)) left.push(`mount ${m}`);
      if (existsSync(p.dataDir)) left.push(`data dir ${p.dataDir}`);
    }
    left.push(...this.lab.leftovers());
    return left;
  }
}
