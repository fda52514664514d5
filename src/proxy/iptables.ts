// SPDX-License-Identifier: Apache-2.0
/**
 * Applying a RuleSet with `iptables-restore --noflush`: one transaction per
 * table set, so the kernel never sees half a sync. `--noflush` leaves every
 * chain we do not name alone; naming one of ours (`:CHAIN - [0:0]`) flushes
 * it, so each sync rewrites our chains whole and the result does not depend
 * on what was there before — which is also what makes a restart after a
 * crash safe: stale chains of our prefix are flushed and deleted, duplicate
 * or missing jumps from the built-in chains are repaired.
 *
 * Why iptables and not nftables: Debian 12's `iptables` is iptables-nft
 * (v1.8.9, nf_tables backend), so these rules are nftables rules underneath
 * and coexist with the CNI bridge/portmap plugins' iptables rules in the
 * same tables. Writing native nft would give us sets and maps (O(1) service
 * lookup), but would put our rules in a separate nft table whose chains run
 * alongside the iptables-nft ones at the same hooks, which makes the
 * interplay with CNI's masquerade and FORWARD rules harder to reason about;
 * kube-proxy's iptables mode is the best-understood design, and at the
 * scale of a Skiff cluster its linear chains cost nothing measurable.
 */
import { spawn } from 'node:child_process';
import type { ChainNames } from './chain-names.js';
import type { Jump, RuleSet } from './proxy-rules.js';

/** SavedTable is one table of `iptables-save` output. */
export interface SavedTable {
  chains: Set<string>;
  /** rules are the `-A ...` lines, as printed. */
  rules: string[];
}

/** parseSave reads `iptables-save` output into tables. */
export function parseSave(text: string): Map<string, SavedTable> {
  const tables = new Map<string, SavedTable>();
  let cur: SavedTable | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) tables.set(line.slice(1).trim(), (cur = { chains: new Set(), rules: [] }));
    else if (line.startsWith(':') && cur) cur.chains.add(line.slice(1).split(' ')[0]);
    else if (line.startsWith('-A ') && cur) cur.rules.push(line);
  }
  return tables;
}

function ruleChain(line: string): string {
  return line.split(' ')[1];
}

function ruleTarget(line: string): string | undefined {
  const m = / -[jg] (\S+)/.exec(line);
  return m?.[1];
}

/**
 * restorePayload is the iptables-restore input that turns the saved state
 * into the desired one (or removes everything of ours when desired is
 * undefined). Only chains `names` owns, and built-in rules jumping to them,
 * are touched.
 */
export function restorePayload(saved: Map<string, SavedTable>, names: ChainNames, desired: RuleSet | undefined): string {
  const out: string[] = [];
  for (const table of ['nat', 'filter'] as const) {
    const have = saved.get(table) ?? { chains: new Set<string>(), rules: [] };
    const want = desired?.[table] ?? { chains: [], rules: [] };
    const wantJumps = (desired?.jumps ?? []).filter((j) => j.table === table);
    out.push(`*${table}`);
    const stale = [...have.chains].filter((c) => names.owns(c) && !want.chains.includes(c));
    for (const c of [...want.chains, ...stale]) out.push(`:${c} - [0:0]`);
    out.push(...jumpChanges(have, names, wantJumps));
    out.push(...want.rules);
    for (const c of stale) out.push(`-X ${c}`);
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}

/**
 * jumpChanges keeps exactly one of each wanted jump in its built-in chain,
 * inserted at the top. When the existing jumps are already right (one each)
 * nothing changes, as kube-proxy only ensures they exist: several
 * proxies on one machine (tests) would otherwise keep pushing each other down.
 * Otherwise all of ours go and are inserted afresh.
 */
function jumpChanges(have: SavedTable, names: ChainNames, want: Jump[]): string[] {
  const ours = have.rules.filter((r) => BUILTIN.has(ruleChain(r)) && names.owns(ruleTarget(r) ?? ''));
  // Compared as a multiset: the order among our own jumps in one chain does not matter.
  const summary = (xs: { chain: string; target: string }[]): string => xs.map((x) => `${x.chain}>${x.target}`).sort().join(',');
  if (summary(ours.map((r) => ({ chain: ruleChain(r), target: ruleTarget(r)! }))) === summary(want)) return [];
  const lines = ours.map((r) => `-D ${r.slice(3)}`);
  // Insert in reverse at position 1 so the jumps end up first, in the listed order.
  for (const j of [...want].reverse()) lines.push(`-I ${j.chain} 1 ${j.rule}`);
  return lines;
}

const BUILTIN = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

/** Iptables runs iptables-save and iptables-restore. */
export class Iptables {
  /** save returns `iptables-save` output for the nat and filter tables. */
  async save(): Promise<Map<string, SavedTable>> {
    const [nat, filter] = await Promise.all([run('iptables-save', ['-t', 'nat']), run('iptables-save', ['-t', 'filter'])]);
    return parseSave(nat + '\n' + filter);
  }

  /** restore applies a payload as one transaction, leaving other chains alone. */
  async restore(payload: string): Promise<void> {
    // -w: wait for the xtables lock instead of failing when CNI or another proxy holds it.
    await run('iptables-restore', ['-w', '5', '--noflush'], payload);
  }
}

function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    // A restore that fails early stops reading its input; its exit status is the error that matters, not EPIPE.
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.trim()}`));
    });
    child.stdin.end(input ?? '');
  });
}
