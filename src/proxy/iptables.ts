// SPDX-License-Identifier: Apache-2.0
/**
 * The proxy's rules as an `iptables-restore --noflush` payload (applied by
 * netfilter's Iptables): one transaction per
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
import type { SavedTable } from '../netfilter/index.js';
import type { ChainNames } from './chain-names.js';
import type { Jump, RuleSet } from './proxy-rules.js';

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
