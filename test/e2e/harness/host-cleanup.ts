// SPDX-License-Identifier: Apache-2.0
/**
 * Host-level cleanup for end-to-end tests that run a private containerd: the
 * things containerd and CNI leave on the machine outside the data directory
 * (mounts, the bridge link, iptables chains, v1 cgroups, shim processes, CNI
 * result cache files). Each function touches only what a caller identifies as
 * its own: paths under its directory, its bridge, its subnet, its CNI network
 * name, its cgroup root and container IDs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/** mountsUnder lists mount points at or below dir, deepest first. */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter((m): m is string => !!m)
    // /proc/mounts escapes spaces and similar as octal (\040).
    .map((m) => m.replace(/\\([0-7]{3})/g, (_s, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((m) => m === dir || m.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

/** unmountAll unmounts everything under dir, falling back to a lazy unmount for busy mounts. */
export function unmountAll(dir: string): void {
  for (let pass = 0; pass < 5; pass++) {
    const mounts = mountsUnder(dir);
    if (mounts.length === 0) return;
    for (const m of mounts) {
      if (spawnSync('umount', [m]).status !== 0) spawnSync('umount', ['-l', m]);
    }
  }
}

/** processesMentioning lists PIDs whose command line contains text (e.g. a socket or data dir path). */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(text)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** linkExists reports whether a network interface exists. */
export function linkExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

/** deleteLink removes a network interface if present. */
export function deleteLink(name: string): void {
  if (linkExists(name)) spawnSync('ip', ['link', 'delete', name]);
}

const IPTABLES_TABLES = ['nat', 'filter', 'mangle'] as const;

function iptablesSave(table: string): string {
  const r = spawnSync('iptables-save', ['-t', table], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : '';
}

/** cniChains lists the CNI-* chains of each iptables table, to tell later which ones appeared. */
export function cniChains(): Map<string, Set<string>> {
  const chains = new Map<string, Set<string>>();
  for (const table of IPTABLES_TABLES) {
    const names = [...iptablesSave(table).matchAll(/^:(CNI-\S+)/gm)].map((m) => m[1]);
    chains.set(table, new Set(names));
  }
  return chains;
}

// iptables-save prints rules in the form iptables accepts back; quoted comments are
// split on whitespace outside double quotes.
function ruleArgs(rule: string): string[] {
  return [...rule.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\"/g, '"') : m[2]));
}

/**
 * removeCniIptables deletes the rules that mention any of `markers` (our bridge,
 * subnet, CNI network name), then the CNI-* chains that did not exist in
 * `before` and no longer serve anyone, with the jumps to them from built-in
 * chains. A chain still serves someone when it holds an address (a pod's DNAT
 * or SNAT rule), jumps to a chain that does, or is jumped to from one. The
 * portmap plugin's shared CNI-HOSTPORT-* chains go together or not at all, so
 * another node's hostPorts on the same machine keep working.
 */
export function removeCniIptables(markers: string[], before: Map<string, Set<string>>): void {
  for (const table of IPTABLES_TABLES) {
    for (const rule of rulesOf(table).filter((l) => markers.some((m) => l.includes(m)))) {
      spawnSync('iptables', ['-w', '-t', table, '-D', ...ruleArgs(rule).slice(1)]);
    }
    const rules = rulesOf(table);
    const stale = staleChains(table, rules, before.get(table) ?? new Set());
    for (const rule of rules) {
      const [, chain] = rule.split(' ');
      if (!chain?.startsWith('CNI-') && [...stale].some((c) => jumpsTo(rule, c))) {
        spawnSync('iptables', ['-w', '-t', table, '-D', ...ruleArgs(rule).slice(1)]);
      }
    }
    for (const chain of stale) spawnSync('iptables', ['-w', '-t', table, '-F', chain]);
    for (const chain of stale) spawnSync('iptables', ['-w', '-t', table, '-X', chain]);
  }
}

const IPV4 = /\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/;
const jumpsTo = (rule: string, chain: string): boolean => rule.endsWith(` -j ${chain}`) || rule.includes(` -j ${chain} `) || rule.includes(` -g ${chain}`);

function rulesOf(table: string): string[] {
  return iptablesSave(table).split('\n').filter((l) => l.startsWith('-A '));
}

function staleChains(table: string, rules: string[], before: Set<string>): Set<string> {
  const chains = [...iptablesSave(table).matchAll(/^:(CNI-\S+)/gm)].map((m) => m[1]);
  const body = (c: string) => rules.filter((r) => r.startsWith(`-A ${c} `));
  const stale = new Set(chains.filter((c) => !before.has(c) && !body(c).some((r) => IPV4.test(r))));
  for (let changed = true; changed; ) {
    changed = false;
    for (const c of [...stale]) {
      const live = chains.filter((o) => o !== c && !stale.has(o));
      const usedByLive = live.some((o) => body(o).some((r) => jumpsTo(r, c)));
      const usesLive = body(c).some((r) => live.some((o) => jumpsTo(r, o)));
      if (usedByLive || usesLive) {
        stale.delete(c);
        changed = true;
      }
    }
    const hostport = chains.filter((c) => c.startsWith('CNI-HOSTPORT-') && !before.has(c));
    if (hostport.some((c) => !stale.has(c)) && hostport.some((c) => stale.has(c))) {
      for (const c of hostport) stale.delete(c);
      changed = true;
    }
  }
  return stale;
}

/** iptablesMentions returns the iptables rules (all tables) that contain any of markers. */
export function iptablesMentions(markers: string[]): string[] {
  return IPTABLES_TABLES.flatMap((t) =>
    iptablesSave(t).split('\n').filter((l) => l.startsWith('-A ') && markers.some((m) => l.includes(m))),
  );
}

/**
 * cgroupHierarchies lists the mounted cgroup hierarchy roots: the v1 ones
 * (/sys/fs/cgroup/cpu, ...) and, on a hybrid host, the unified v2 one
 * (/sys/fs/cgroup/unified), where runc makes the same directories.
 */
export function cgroupHierarchies(): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f[2] === 'cgroup' || f[2] === 'cgroup2')
    .map((f) => f[1]);
}

/**
 * removeCgroups removes, in every hierarchy, the directory `root` (relative,
 * e.g. "skiff-e2e-1a2b") and any directory named by one of `ids` up to three
 * levels down (containers created without a cgroup parent), children first.
 * runc creates pod and container cgroups but nothing removes the pod level.
 */
export function removeCgroups(root: string, ids: ReadonlySet<string>): void {
  for (const h of cgroupHierarchies()) {
    const targets = [join(h, root)];
    walkDirs(h, 3, (dir, name) => {
      if (ids.has(name)) targets.push(dir);
    });
    for (const t of targets) removeTree(t);
  }
}

/** cgroupsLeft lists remaining cgroup directories named root in any hierarchy. */
export function cgroupsLeft(root: string): string[] {
  return cgroupHierarchies().map((h) => join(h, root)).filter((p) => existsSync(p));
}

function walkDirs(dir: string, depth: number, visit: (path: string, name: string) => void): void {
  if (depth === 0) return;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    const p = join(dir, name);
    try {
      if (!statSync(p).isDirectory()) continue;
    } catch {
      continue;
    }
    visit(p, name);
    walkDirs(p, depth - 1, visit);
  }
}

// cgroup directories are removed with rmdir, children before parents (files in them are virtual).
function removeTree(dir: string): void {
  if (!existsSync(dir)) return;
  walkDirs(dir, 1, (child) => removeTree(child));
  try {
    rmdirSync(dir);
  } catch {
    // still in use (a process left in it); the leak check reports it
  }
}

/** removeCniResultCache deletes libcni's cached results for a network (/var/lib/cni/results/<network>-*). */
export function removeCniResultCache(networkName: string): void {
  const dir = '/var/lib/cni/results';
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir)) if (f.startsWith(`${networkName}-`)) unlinkSync(join(dir, f));
}

/** removeEmptyDirs removes each directory if it exists and is empty (deepest given first). */
export function removeEmptyDirs(dirs: string[]): void {
  for (const d of dirs) {
    try {
      if (readdirSync(d).length === 0) rmdirSync(d);
    } catch {
      // absent or not empty
    }
  }
}

/** runcDeleteAll force-deletes every runc container in a runc root (after containerd failed to). */
export function runcDeleteAll(runcRoot: string): void {
  if (!existsSync(runcRoot)) return;
  for (const ns of readdirSync(runcRoot)) {
    const root = join(runcRoot, ns);
    let ids: string[] = [];
    try {
      ids = execFileSync('runc', ['--root', root, 'list', '-q'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    } catch {
      continue;
    }
    for (const id of ids) spawnSync('runc', ['--root', root, 'delete', '--force', id]);
  }
}
