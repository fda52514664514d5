// SPDX-License-Identifier: Apache-2.0
/**
 * MachineLab makes "machines" on one host for multi-node tests: each is a
 * network namespace with one interface (`eth0`) holding a TEST-NET address,
 * plugged into a bridge the lab creates on the host (the host side holds the
 * subnet's first address, so the test process can reach every machine, like
 * a laptop on the same switch). Machines have no default route: nothing can
 * leave for an address the lab did not create.
 *
 * Processes run in a machine with `nsenter --net`, not `ip netns exec`:
 * the latter also remounts /sys for the namespace, which hides
 * /sys/fs/cgroup and breaks runc. Only the network is per machine; mounts,
 * cgroups and containerd shims stay host-global, so whoever starts
 * containerd in a machine must clean those up (see cluster.ts).
 *
 * The bridge is a switch, and the host does not connection-track the VXLAN
 * datagrams machines send each other across it. With br_netfilter loaded
 * (net.bridge.bridge-nf-call-iptables=1, as on Kubernetes hosts) the host's
 * conntrack would otherwise see every bridged tunnel datagram, and each new
 * pod connection between machines (a fresh UDP source port) would cost the
 * host two new entries: a stateful switch no real network has, charged to
 * the cross-node path the multinode benchmark measures. One raw-table
 * NOTRACK rule per lab, scoped to its bridge and UDP 8472 (flannel's VXLAN
 * port), removed in cleanup(). Other traffic stays tracked: untracking all
 * of it broke kubectl port-forward through the lab (seen in
 * multinode-network), so the rule is no wider than the tunnel.
 *
 * A lab claims one /26 of 198.51.100.0/24 or 203.0.113.0/24 by creating its
 * bridge (the kernel refuses a second link with the same name), so labs in
 * concurrent test files never share addresses. cleanup() kills what it
 * spawned and deletes the namespaces, veths and bridge; it never touches
 * anything it did not create.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** VXLAN_PORT is flannel's VXLAN UDP port (src/flannel's VXLAN_PORT; the harness names it rather than importing internals). */
const VXLAN_PORT = 8472;

const SLOTS = ['198.51.100', '203.0.113'].flatMap((net) => [0, 64, 128, 192].map((base) => ({ net, base })));

/** Machine is one network namespace with an address on the lab's bridge. */
export interface Machine {
  name: string;
  netns: string;
  ip: string;
  /** hostLink is the veth end on the bridge; setting it down cuts the machine off. */
  hostLink: string;
}

function ip(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function must(args: string[]): void {
  const r = ip(args);
  if (!r.ok) throw new Error(`ip ${args.join(' ')}: ${r.out.trim()}`);
}

/** machinesUnavailableReason says why machine tests cannot run here, or ''. */
export function machinesUnavailableReason(): string {
  if (process.getuid?.() !== 0) return 'needs root';
  for (const tool of [['ip', '-V'], ['nsenter', '--version'], ['bridge', '-V']]) {
    if (spawnSync(tool[0], tool.slice(1)).status !== 0) return `${tool[0]} not available`;
  }
  return '';
}

/** MachineLab owns one bridge, its machines and the processes run in them. */
export class MachineLab {
  readonly bridge: string;
  /** gateway is the host's address on the bridge. */
  readonly gateway: string;
  readonly machines: Machine[] = [];
  readonly #prefix: string;
  readonly #base: number;
  readonly #procs: ChildProcess[] = [];

  private constructor(slot: number) {
    const { net, base } = SLOTS[slot];
    this.bridge = `sklab${slot}`;
    this.#prefix = net;
    this.#base = base;
    this.gateway = `${net}.${base + 1}`;
  }

  /** create claims a free slot and makes the bridge. */
  static create(): MachineLab {
    for (let slot = 0; slot < SLOTS.length; slot++) {
      if (!ip(['link', 'add', `sklab${slot}`, 'type', 'bridge']).ok) continue;
      const lab = new MachineLab(slot);
      try {
        must(['addr', 'add', `${lab.gateway}/26`, 'dev', lab.bridge]);
        must(['link', 'set', lab.bridge, 'up']);
        lab.#switchNotrack('-A');
      } catch (err) {
        lab.cleanup();
        throw err;
      }
      return lab;
    }
    throw new Error('no free machine lab slot (every sklab0..7 bridge exists)');
  }

  /** addMachine makes a namespace `<bridge>-<name>` with the next address of the slot. */
  addMachine(name: string): Machine {
    const i = this.machines.length;
    if (i >= 50) throw new Error('a lab holds at most 50 machines');
    const netns = `${this.bridge}-${name}`;
    const hostLink = `${this.bridge}v${i}`;
    const address = `${this.#prefix}.${this.#base + 10 + i}`;
    must(['netns', 'add', netns]);
    const m: Machine = { name, netns, ip: address, hostLink };
    this.machines.push(m);
    must(['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
    must(['link', 'set', hostLink, 'master', this.bridge]);
    must(['link', 'set', hostLink, 'up']);
    const inNs = (args: string[]) => must(['-n', netns, ...args]);
    inNs(['addr', 'add', `${address}/26`, 'dev', 'eth0']);
    inNs(['link', 'set', 'eth0', 'up']);
    inNs(['link', 'set', 'lo', 'up']);
    return m;
  }

  /** command returns argv running `argv` inside the machine's network namespace. */
  command(m: Machine, argv: string[]): string[] {
    return ['nsenter', `--net=/var/run/netns/${m.netns}`, '--', ...argv];
  }

  /** spawn starts a process in the machine; cleanup() SIGKILLs it if it is still running. */
  spawn(m: Machine, argv: string[], opts: SpawnOptions = {}): ChildProcess {
    const [cmd, ...args] = this.command(m, argv);
    const p = spawn(cmd, args, opts);
    this.#procs.push(p);
    return p;
  }

  /** exec runs a command in the machine and returns its output, or throws with it. */
  exec(m: Machine, argv: string[], timeoutMs = 30_000): string {
    const [cmd, ...args] = this.command(m, argv);
    return execFileSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** cut takes the machine's link off the bridge (a pulled cable); restore plugs it back. */
  cut(m: Machine): void {
    must(['link', 'set', m.hostLink, 'down']);
  }

  restore(m: Machine): void {
    must(['link', 'set', m.hostLink, 'up']);
  }

  /** switchNotrack adds (-A) or deletes (-D) the host's raw rule exempting VXLAN between machines from conntrack. */
  #switchNotrack(op: '-A' | '-D'): void {
    const rule = (o: string) => ['-w', '-t', 'raw', o, 'PREROUTING', '-i', this.bridge, '-p', 'udp', '--dport', String(VXLAN_PORT), '-m', 'comment', '--comment', `machine lab ${this.bridge}: a switch does not track the tunnel`, '-j', 'NOTRACK'];
    // A rule left by a lab that died in this slot is reused rather than doubled.
    if (op === '-A' && spawnSync('iptables', rule('-C')).status === 0) return;
    const r = spawnSync('iptables', rule(op), { encoding: 'utf8' });
    if (op === '-A' && r.status !== 0) throw new Error(`iptables ${rule(op).join(' ')}: ${r.stderr}`);
  }

  /** cleanup kills the processes it spawned and removes namespaces, veths, the bridge and its NOTRACK rule. */
  cleanup(): void {
    for (const p of this.#procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    for (const m of this.machines) {
      ip(['link', 'del', m.hostLink]);
      ip(['netns', 'del', m.netns]);
    }
    ip(['link', 'del', this.bridge]);
    this.#switchNotrack('-D');
  }
}
