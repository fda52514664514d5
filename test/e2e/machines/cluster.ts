// SPDX-License-Identifier: Apache-2.0
/**
 * MachineCluster runs a Skiff cluster across MachineLab machines: `skiff
 * server` (with its own node) in the first machine, and each `skiff agent`
 * in a machine of its own with its own data dir, containerd, CNI bridge and
 * node name, joined with the two commands a user types (`skiff token
 * create`, `skiff agent --server URL --token TOKEN`). The test process talks
 * to the API at the server machine's address with the real kubectl.
 *
 * Everything network-shaped (routes, iptables, links) lives inside the
 * machines' namespaces and goes with them. What containerd leaves on the
 * host (shims, mounts under the data dir, cgroups, CNI result cache) is
 * removed per data dir in stop(), after SIGTERM gave every node the chance
 * to clean up after itself (--cleanup-on-exit); a node that was SIGKILLed is
 * started again first so it can. Reusable by any test that needs several
 * Skiff processes on several machines (HA servers included: startSkiff).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxImage } from '../../../src/images/index.js';
import { cniNetworkName, containerdLayout, dataDirTag } from '../../../src/kubelet/containerd/index.js';
import { cgroupsLeft, mountsUnder, processesMentioning, removeCgroups, removeCniResultCache, runcDeleteAll, unmountAll } from '../harness/host-cleanup.js';
import { MachineLab, type Machine } from './machine-lab.js';

const CLI_MAIN = new URL('../../../src/cli/main.js', import.meta.url).href;
/** SKIFF is the node argv prefix running the compiled CLI (the code the test was built with). */
export const SKIFF = [process.execPath, '--input-type=module', '-e', `import(${JSON.stringify(CLI_MAIN)}).then((m) => m.main(process.argv.slice(1)))`];

/** SkiffProcess is one `skiff server` or `skiff agent` in a machine. */
export interface SkiffProcess {
  machine: Machine;
  nodeName: string;
  dataDir: string;
  args: string[];
  logs(): string;
  running(): boolean;
  /** start launches it and resolves when its log matches ready. */
  start(): Promise<void>;
  /** kill SIGKILLs it: pods, containerd and its shims keep running, as after a crash. */
  kill(): Promise<void>;
  /** stop SIGTERMs it and waits (SIGKILL after 60 s). */
  stop(): Promise<void>;
}

/** ClusterOptions shape a MachineCluster. */
export interface ClusterOptions {
  agents: number;
  serverArgs?: string[];
  agentArgs?: string[];
  clusterCIDR?: string;
  serviceCIDR?: string;
}

const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

/** startSkiff runs the CLI with args in a machine, collecting its output; ready is the log line that means up. */
export function startSkiff(lab: MachineLab, machine: Machine, nodeName: string, dataDir: string, args: string[], ready: RegExp): SkiffProcess {
  let child: ChildProcess | undefined;
  let logs = '';
  const running = () => !!child && child.exitCode === null && child.signalCode === null;
  return {
    machine, nodeName, dataDir, args, running,
    logs: () => logs,
    async start() {
      child = lab.spawn(machine, [...SKIFF, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      const from = logs.length;
      child.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
      const deadline = Date.now() + 120_000;
      while (!ready.test(logs.slice(from))) {
        if (!running()) throw new Error(`skiff ${args[0]} on ${machine.name} exited (${child.exitCode ?? child.signalCode}):\n${logs}`);
        if (Date.now() > deadline) throw new Error(`skiff ${args[0]} on ${machine.name} did not come up:\n${logs}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async kill() {
      if (!running()) return;
      child!.kill('SIGKILL');
      await exited(child!);
    },
    async stop() {
      if (!running()) return;
      const c = child!;
      c.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited(c), new Promise((r) => (timer = setTimeout(r, 60_000)))]);
      clearTimeout(timer);
      if (running()) {
        c.kill('SIGKILL');
        await exited(c);
      }
    },
  };
}

/** sweepNodeLeftovers removes what a node's containerd may leave on the host after its process is gone. */
export function sweepNodeLeftovers(dataDir: string): void {
  for (const pid of processesMentioning(dataDir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  runcDeleteAll(containerdLayout(dataDir).runcRoot);
  unmountAll(dataDir);
  removeCgroups(`skiff-${dataDirTag(dataDir)}`, new Set());
  removeCniResultCache(cniNetworkName(dataDir));
}

/** MachineCluster is a server and its agents, each on a machine. */
export class MachineCluster {
  readonly lab: MachineLab;
  readonly server: SkiffProcess;
  readonly agents: SkiffProcess[] = [];
  readonly url: string;
  readonly kubeconfig: string;
  readonly #opts: ClusterOptions;
  readonly #home: string;
  #token = '';

  private constructor(lab: MachineLab, opts: ClusterOptions) {
    this.lab = lab;
    this.#opts = opts;
    const m = lab.addMachine('server');
    this.url = `https://${m.ip}:6443`;
    this.#home = mkdtempSync(join(tmpdir(), 'skiff-mc-home-'));
    this.kubeconfig = join(this.#home, 'kubeconfig.yaml');
    const dataDir = mkdtempSync(join(tmpdir(), 'skiff-mc-server-'));
    this.server = startSkiff(lab, m, 'server', dataDir, [
      'server', '--data-dir', dataDir, '--https-port', '6443', '--advertise-address', m.ip, '--node-name', 'server',
      '--cluster-cidr', this.clusterCIDR, '--service-cidr', this.serviceCIDR, '--cleanup-on-exit', '--kubelet-backoff', '1s,4s',
      ...(opts.serverArgs ?? []),
    ], /skiff server ready at/);
  }

  get clusterCIDR(): string {
    return this.#opts.clusterCIDR ?? '10.42.0.0/16';
  }

  get serviceCIDR(): string {
    return this.#opts.serviceCIDR ?? '10.43.0.0/16';
  }

  get nodes(): SkiffProcess[] {
    return [this.server, ...this.agents];
  }

  /** start brings up the server, then each agent in turn (each Ready before the next joins). */
  static async start(opts: ClusterOptions): Promise<MachineCluster> {
    const lab = MachineLab.create();
    let c: MachineCluster | undefined;
    try {
      c = new MachineCluster(lab, opts);
      await c.server.start();
      // The admin kubeconfig names 127.0.0.1, the server machine's loopback; the test reaches it at the machine's address.
      const kc = readFileSync(join(c.server.dataDir, 'kubeconfig.yaml'), 'utf8').replace(/server: https:\/\/[^\s]+/, `server: ${c.url}`);
      writeFileSync(c.kubeconfig, kc, { mode: 0o600 });
      // The token is created through the API, reached from the test's namespace at the server machine's address.
      c.#token = c.#cli(['token', 'create', '--kubeconfig', c.kubeconfig]).trim();
      c.importBusybox(c.server);
      await c.waitReady('server');
      for (let i = 1; i <= opts.agents; i++) await c.addAgent(`agent-${i}`);
      return c;
    } catch (err) {
      if (c) await c.stop();
      else lab.cleanup();
      throw err;
    }
  }

  /** addAgent joins one more machine with `skiff agent --server URL --token TOKEN` and waits for its Node to be Ready. */
  async addAgent(nodeName: string): Promise<SkiffProcess> {
    const m = this.lab.addMachine(nodeName);
    const dataDir = mkdtempSync(join(tmpdir(), `skiff-mc-${nodeName}-`));
    const agent = startSkiff(this.lab, m, nodeName, dataDir, [
      'agent', '--server', this.url, '--token', this.#token, '--data-dir', dataDir, '--node-name', nodeName, '--node-ip', m.ip,
      // No network flags: an agent learns the ranges and the backend from the server (kube-system/kubeadm-config).
      '--cleanup-on-exit', ...(this.#opts.agentArgs ?? []),
    ], /node agent: node \S+ up/);
    this.agents.push(agent);
    await agent.start();
    this.importBusybox(agent);
    await this.waitReady(nodeName);
    return agent;
  }

  /** importBusybox loads the test image into a node's containerd (its socket is a path, reachable from the host). */
  importBusybox(node: SkiffProcess): void {
    const archive = join(node.dataDir, 'busybox.oci.tar');
    writeFileSync(archive, busyboxImage());
    try {
      this.#cli(['image', 'import', archive, '--data-dir', node.dataDir]);
    } finally {
      rmSync(archive, { force: true });
    }
  }

  #cli(args: string[]): string {
    const r = spawnSync(SKIFF[0], [...SKIFF.slice(1), ...args], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`skiff ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  }

  kubectl(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
    const r = spawnSync('kubectl', args, { env: { ...process.env, KUBECONFIG: this.kubeconfig, HOME: this.#home }, input, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  kubectlOk(args: string[], input?: string): string {
    const r = this.kubectl(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  json<T = Record<string, unknown>>(args: string[]): T {
    return JSON.parse(this.kubectlOk(['get', ...args, '-o', 'json'])) as T;
  }

  /** waitReady polls until the Node reports Ready=True. */
  async waitReady(nodeName: string, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = this.kubectl(['get', 'node', nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
      if (r.code === 0 && r.stdout.trim() === 'True') return;
      if (Date.now() > deadline) throw new Error(`node ${nodeName} not Ready: ${r.stdout}${r.stderr}`);
      await new Promise((res) => setTimeout(res, 500));
    }
  }

  /**
   * stop ends agents, then the server (SIGTERM: each removes its pods,
   * containerd and host state), restarting any killed node first so it can
   * clean up; then sweeps each data dir's leftovers and removes the lab.
   */
  async stop(): Promise<void> {
    this.lab.restoreAll();
    for (const node of [...this.agents].reverse()) await this.#stopNode(node);
    await this.#stopNode(this.server);
    for (const node of this.nodes) sweepNodeLeftovers(node.dataDir);
    this.lab.cleanup();
    for (const node of this.nodes) {
      if (!readFileSync('/proc/mounts', 'utf8').includes(node.dataDir)) rmSync(node.dataDir, { recursive: true, force: true });
    }
    rmSync(this.#home, { recursive: true, force: true });
  }

  /** leftovers lists what stop() failed to remove (processes, mounts, cgroups, namespaces, links); empty when clean. */
  leftovers(): string[] {
    const left: string[] = [];
    for (const node of this.nodes) {
      for (const pid of processesMentioning(node.dataDir)) left.push(`process ${pid} of ${node.nodeName}`);
      for (const m of mountsUnder(node.dataDir)) left.push(`mount ${m}`);
      for (const g of cgroupsLeft(`skiff-${dataDirTag(node.dataDir)}`)) left.push(`cgroup ${g}`);
      if (existsSync(node.dataDir)) left.push(`data dir ${node.dataDir}`);
    }
    left.push(...this.lab.leftovers());
    return left;
  }

  async #stopNode(node: SkiffProcess): Promise<void> {
    try {
      // A crashed node still has pods; a fresh start with --cleanup-on-exit adopts and removes them on the way out.
      if (!node.running() && existsSync(join(node.dataDir, 'containerd')) && processesMentioning(node.dataDir).length > 0) {
        await node.start().catch(() => undefined);
      }
      await node.stop();
    } catch {
      // the sweep below removes what is left
    }
  }
}
