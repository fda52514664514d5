// SPDX-License-Identifier: Apache-2.0
/**
 * NetnsLab makes fake pods for network tests: each is a network namespace
 * joined to the host by its own veth pair in a /30 (so every packet crosses
 * the host's IP stack and its iptables rules, as pod traffic does through a
 * CNI bridge with br_netfilter), with a default route back via the host.
 * It also makes dummy interfaces (load-balancer addresses, a sink for the
 * test's service range so an untranslated ClusterIP packet dies here instead
 * of following the default route off the machine). cleanup() removes every
 * process, namespace, link and route it made, and nothing else.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

/** FakePod is one network namespace with an address. */
export interface FakePod {
  name: string;
  netns: string;
  ip: string;
  hostIP: string;
}

/** canRunNetns: root with iproute2 and iptables (CI runs as root). */
export function canRunNetns(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    execFileSync('iptables-save', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

function quiet(fn: () => unknown): void {
  try {
    fn();
  } catch {
    // already gone
  }
}

/** NetnsLab owns the namespaces and links of one test file; names carry a short tag. */
export class NetnsLab {
  readonly tag: string;
  /** subnet is the /24 the fake pods' /30s come from, e.g. `10.244.17`. */
  readonly subnet: string;
  readonly pods: FakePod[] = [];
  readonly #links: string[] = [];
  readonly #procs: ChildProcess[] = [];

  constructor(tag: string, subnet: string) {
    if (tag.length > 7) throw new Error('netns lab tag must be at most 7 characters (interface names are limited to 15)');
    this.tag = tag;
    this.subnet = subnet;
  }

  /** addPod creates a namespace with `<subnet>.<4i+2>` (host side `<4i+1>`). */
  addPod(name: string): FakePod {
    const i = this.pods.length;
    const netns = `${this.tag}-${name}`;
    const hostIf = `v${this.tag}${i}h`;
    const podIf = `v${this.tag}${i}p`;
    const hostIP = `${this.subnet}.${i * 4 + 1}`;
    const podIP = `${this.subnet}.${i * 4 + 2}`;
    ip('netns', 'add', netns);
    const pod = { name, netns, ip: podIP, hostIP };
    this.pods.push(pod);
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', podIf);
    this.#links.push(hostIf);
    ip('link', 'set', podIf, 'netns', netns);
    ip('addr', 'add', `${hostIP}/30`, 'dev', hostIf);
    ip('link', 'set', hostIf, 'up');
    ip('netns', 'exec', netns, 'ip', 'addr', 'add', `${podIP}/30`, 'dev', podIf);
    ip('netns', 'exec', netns, 'ip', 'link', 'set', podIf, 'up');
    ip('netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up');
    ip('netns', 'exec', netns, 'ip', 'route', 'add', 'default', 'via', hostIP);
    return pod;
  }

  /**
   * addSink creates a link that drops whatever is routed to it, with the
   * given addresses (`a.b.c.d/32`) and routes (`cidr`): a dummy, or an ifb
   * where the kernel has no dummy driver (an ifb drops packets that tc did
   * not redirect to it). Unlike a blackhole route, a route to a sink still
   * lets the node itself connect to a cluster IP that a rule DNATs.
   */
  addSink(suffix: string, addresses: string[], routes: string[] = []): string {
    const name = `d${this.tag}${suffix}`;
    try {
      ip('link', 'add', name, 'type', 'dummy');
    } catch {
      ip('link', 'add', name, 'type', 'ifb');
    }
    this.#links.push(name);
    for (const a of addresses) ip('addr', 'add', a, 'dev', name);
    ip('link', 'set', name, 'up');
    for (const r of routes) ip('route', 'add', r, 'dev', name);
    return name;
  }

  /** serveHttp runs a tiny HTTP server in the pod answering its name on the port. */
  async serveHttp(pod: FakePod, port: number): Promise<void> {
    const code = `require('http').createServer((q, s) => s.end(${JSON.stringify(pod.name)})).listen(${port}, '0.0.0.0', () => console.log('ready'))`;
    await this.#spawnReady(pod, ['-e', code]);
  }

  /** spawnNode runs a node script in the pod and waits for its first line of output. */
  async spawnNode(pod: FakePod, args: string[]): Promise<void> {
    await this.#spawnReady(pod, args);
  }

  async #spawnReady(pod: FakePod, args: string[]): Promise<void> {
    const proc = spawn('ip', ['netns', 'exec', pod.netns, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.#procs.push(proc);
    await new Promise<void>((resolve, reject) => {
      proc.stdout!.once('data', () => resolve());
      proc.once('exit', (code) => reject(new Error(`process in ${pod.netns} exited with ${code}`)));
    });
  }

  /** curl fetches a URL from inside the pod; it returns the body, or `ERR <curl exit code>`. */
  curl(pod: FakePod, url: string, timeoutSec = 2): string {
    try {
      return execFileSync('ip', ['netns', 'exec', pod.netns, 'curl', '-s', '--max-time', String(timeoutSec), url], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    } catch (err) {
      return `ERR ${(err as { status?: number }).status}`;
    }
  }

  /** cleanup kills the processes and deletes namespaces and links (their routes and addresses go with them). */
  cleanup(): void {
    for (const p of this.#procs) p.kill('SIGKILL');
    for (const l of this.#links) quiet(() => ip('link', 'del', l));
    for (const p of this.pods) quiet(() => ip('netns', 'del', p.netns));
  }
}
