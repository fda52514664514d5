// SPDX-License-Identifier: Apache-2.0
/**
 * MachineLab makes "machines" on one host for multi-node tests: each is a
 * network namespace with one interface (`eth0`) holding a TEST-NET address,
 * plugged into a switch: a bridge in a network namespace of its own (the
 * lab's "switch" netns). The host is plugged into the same switch by a veth
 * (`sklab<slot>`) holding the subnet's first address, so the test process
 * reaches every machine like a laptop on the same switch. Machines have no
 * default route: nothing can leave for an address the lab did not create.
 *
 * Why the switch is not a bridge in the host's namespace: with br_netfilter
 * loaded (net.bridge.bridge-nf-call-iptables=1, as on Kubernetes hosts and on
 * this one), every frame a host bridge forwards walks the host's netfilter
 * hooks (raw, conntrack, nat, FORWARD), so each datagram between machines
 * would pay for a firewall that no real switch has, and the multinode
 * benchmark would charge that to the cross-node path. The bridge-nf-call-*
 * switches are per network namespace (kernel ≥ 5.3), so the switch netns
 * turns them off for itself; the host's own settings are left alone. Frames
 * between machines never enter the host's namespace; only the host's own
 * traffic to a machine crosses its stack, as a laptop's would.
 *
 * Processes run in a machine with `nsenter --net`, not `ip netns exec`:
 * the latter also remounts /sys for the namespace, which hides
 * /sys/fs/cgroup and breaks runc. Only the network is per machine; mounts,
 * cgroups and containerd shims stay host-global, so whoever starts
 * containerd in a machine must clean those up (see cluster.ts).
 *
 * A lab claims one /26 of 198.51.100.0/24 or 203.0.113.0/24 by creating the
 * host's link `sklab<slot>` (the kernel refuses a second link with the same
 * name, as it refused a second bridge when the switch lived on the host), so
 * labs in concurrent test files never share addresses. cleanup() kills what
 * it spawned and deletes the namespaces and links; it never touches anything
 * it did not create.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const SLOTS = ['198.51.100', '203.0.113'].flatMap((net) => [0, 64, 128, 192].map((base) => ({ net, base })));

/** SWITCH_NAME is the switch netns' suffix (so no machine may take that name). */
const SWITCH_NAME = 'switch';

/** Machine is one network namespace with an address on the lab's switch. */
export interface Machine {
  name: string;
  netns: string;
  ip: string;
  /** switchPort is the veth end on the switch's bridge (in the switch netns); setting it down cuts the machine off. */
  switchPort: string;
}

function ip(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function must(args: string[]): void {
  const r = ip(args);
  if (!r.ok) throw new Error(`ip ${args.join(' ')}: ${r.out.trim()}`);
}

/** linkIndex is a host link's ifindex, or '' when there is no such link (ifindexes are not reused soon, names are). */
function linkIndex(name: string): string {
  try {
    return readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** machinesUnavailableReason says why machine tests cannot run here, or ''. */
export function machinesUnavailableReason(): string {
  if (process.getuid?.() !== 0) return 'needs root';
  for (const tool of [['ip', '-V'], ['nsenter', '--version'], ['bridge', '-V']]) {
    if (spawnSync(tool[0], tool.slice(1)).status !== 0) return `${tool[0]} not available`;
  }
  return '';
}

/** MachineLab owns one switch, its machines and the processes run in them. */
export class MachineLab {
  /** hostLink is the host's veth into the switch, holding `gateway`; its name claims the slot. */
  readonly hostLink: string;
  /** switchNetns is the namespace of the switch's bridge and ports. */
  readonly switchNetns: string;
  /** gateway is the host's address on the switch. */
  readonly gateway: string;
  readonly machines: Machine[] = [];
  readonly #prefix: string;
  readonly #base: number;
  readonly #procs: ChildProcess[] = [];
  /** hostLinkIndex is the host link's ifindex, which tells ours from a link of the same name made after we let the slot go. */
  #hostLinkIndex = '';
  /** left is what cleanup() found still there, checked before the slot was given up. */
  #left: string[] | undefined;

  private constructor(slot: number) {
    const { net, base } = SLOTS[slot];
    this.hostLink = `sklab${slot}`;
    this.switchNetns = `sklab${slot}-${SWITCH_NAME}`;
    this.#prefix = net;
    this.#base = base;
    this.gateway = `${net}.${base + 1}`;
  }

  /** create claims a free slot and makes the switch. */
  static create(): MachineLab {
    for (let slot = 0; slot < SLOTS.length; slot++) {
      // The switch side is named after the slot too, so a leftover of a crashed lab cannot collide with it.
      if (!ip(['link', 'add', `sklab${slot}`, 'type', 'veth', 'peer', 'name', `sklab${slot}up`]).ok) continue;
      const lab = new MachineLab(slot);
      lab.#hostLinkIndex = linkIndex(lab.hostLink);
      try {
        lab.#makeSwitch();
      } catch (err) {
        lab.cleanup();
        throw err;
      }
      return lab;
    }
    throw new Error('no free machine lab slot (every sklab0..7 link exists)');
  }

  #makeSwitch(): void {
    const sw = this.switchNetns;
    // A switch netns left by a lab that died in this slot (the slot was free, so nothing uses it) is replaced.
    if (existsSync(`/var/run/netns/${sw}`)) ip(['netns', 'del', sw]);
    must(['netns', 'add', sw]);
    this.#switchBridgeNetfilterOff();
    must(['-n', sw, 'link', 'add', 'switch', 'type', 'bridge']);
    must(['-n', sw, 'link', 'set', 'switch', 'up']);
    must(['link', 'set', `${this.hostLink}up`, 'netns', sw]);
    must(['-n', sw, 'link', 'set', `${this.hostLink}up`, 'master', 'switch']);
    must(['-n', sw, 'link', 'set', `${this.hostLink}up`, 'up']);
    must(['addr', 'add', `${this.gateway}/26`, 'dev', this.hostLink]);
    must(['link', 'set', this.hostLink, 'up']);
  }

  /**
   * switchBridgeNetfilterOff sets the switch netns' bridge-nf-call-{iptables,ip6tables,arptables}
   * to 0 (when br_netfilter is loaded; without it no bridged frame meets netfilter anyway).
   */
  #switchBridgeNetfilterOff(): void {
    const script = 'for f in /proc/sys/net/bridge/bridge-nf-call-iptables /proc/sys/net/bridge/bridge-nf-call-ip6tables /proc/sys/net/bridge/bridge-nf-call-arptables; do [ -e $f ] && echo 0 > $f; done; exit 0';
    execFileSync('nsenter', [`--net=/var/run/netns/${this.switchNetns}`, 'sh', '-c', script], { stdio: 'ignore' });
  }

  /** addMachine makes a namespace `<hostLink>-<name>` with the next address of the slot. */
  addMachine(name: string): Machine {
    const i = this.machines.length;
    if (i >= 50) throw new Error('a lab holds at most 50 machines');
    if (name === SWITCH_NAME) throw new Error(`"${SWITCH_NAME}" names the lab's switch, not a machine`);
    const netns = `${this.hostLink}-${name}`;
    const switchPort = `port${i}`;
    const address = `${this.#prefix}.${this.#base + 10 + i}`;
    must(['netns', 'add', netns]);
    const m: Machine = { name, netns, ip: address, switchPort };
    this.machines.push(m);
    const sw = (args: string[]) => must(['-n', this.switchNetns, ...args]);
    sw(['link', 'add', switchPort, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
    sw(['link', 'set', switchPort, 'master', 'switch']);
    sw(['link', 'set', switchPort, 'up']);
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

  /**
   * wireDirect joins two machines by a veth pair of their own beside the switch (`direct<i>` in each, i the
   * other machine's index), with a /32 route each way from and to their lab addresses, so traffic between
   * the two takes the pair and everything else stays on eth0. It is for measuring what the switch's hops
   * cost (benchmarks compare both wirings on one cluster). The returned function unwires them; deleting
   * either machine's namespace (cleanup) removes the pair too.
   */
  wireDirect(a: Machine, b: Machine): () => void {
    const [ia, ib] = [this.machines.indexOf(a), this.machines.indexOf(b)];
    if (ia < 0 || ib < 0 || ia === ib) throw new Error('wireDirect joins two different machines of this lab');
    const [la, lb] = [`direct${ib}`, `direct${ia}`];
    must(['-n', a.netns, 'link', 'add', la, 'type', 'veth', 'peer', 'name', lb, 'netns', b.netns]);
    const unwire = () => void ip(['-n', a.netns, 'link', 'del', la]);
    try {
      for (const [m, link, peer] of [[a, la, b], [b, lb, a]] as const) {
        must(['-n', m.netns, 'link', 'set', link, 'up']);
        must(['-n', m.netns, 'route', 'add', `${peer.ip}/32`, 'dev', link, 'src', m.ip]);
      }
    } catch (err) {
      unwire();
      throw err;
    }
    return unwire;
  }

  /** cut takes the machine's port on the switch down (a pulled cable); restore plugs it back. */
  cut(m: Machine): void {
    must(['-n', this.switchNetns, 'link', 'set', m.switchPort, 'down']);
  }

  restore(m: Machine): void {
    must(['-n', this.switchNetns, 'link', 'set', m.switchPort, 'up']);
  }

  /** restoreAll plugs every machine back in, ignoring failures (for teardown). */
  restoreAll(): void {
    for (const m of this.machines) ip(['-n', this.switchNetns, 'link', 'set', m.switchPort, 'up']);
  }

  /**
   * cleanup kills the processes it spawned and removes the machines' namespaces, the switch and, last, the
   * host's link. The link is the slot's claim: once it is gone another lab (another test process) may take
   * the slot and make namespaces of the same names, so everything else is removed, and checked, before it.
   */
  cleanup(): void {
    for (const p of this.#procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    for (const m of this.machines) {
      // Deleting the port deletes its peer (the machine's eth0) at once, not when the netns is finally freed.
      ip(['-n', this.switchNetns, 'link', 'del', m.switchPort]);
      ip(['netns', 'del', m.netns]);
    }
    ip(['netns', 'del', this.switchNetns]);
    const left = this.#namespacesLeft();
    ip(['link', 'del', this.hostLink]);
    if (this.#hostLinkIndex && linkIndex(this.hostLink) === this.#hostLinkIndex) left.push(`link ${this.hostLink}`);
    this.#left = left;
  }

  /** leftovers lists the lab's namespaces and links that still exist; empty after cleanup(). */
  leftovers(): string[] {
    if (this.#left) return [...this.#left];
    const left = this.#namespacesLeft();
    if (existsSync(`/sys/class/net/${this.hostLink}`)) left.push(`link ${this.hostLink}`);
    return left;
  }

  #namespacesLeft(): string[] {
    const left: string[] = [];
    for (const m of this.machines) if (existsSync(`/var/run/netns/${m.netns}`)) left.push(`netns ${m.netns}`);
    if (existsSync(`/var/run/netns/${this.switchNetns}`)) left.push(`netns ${this.switchNetns}`);
    return left;
  }
}
