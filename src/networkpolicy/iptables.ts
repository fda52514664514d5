// SPDX-License-Identifier: Apache-2.0
/**
 * Applies rendered chains to the kernel through netfilter's Iptables (one
 * atomic iptables-restore per sync, as kube-proxy does) and removes them again. Only
 * chains carrying our prefix and the one jump from FORWARD are touched.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Iptables, execRunner, type Runner } from '../netfilter/index.js';
import { toRestoreInput, type RenderedRules } from './policy-rules.js';

/** ownedChains lists the filter-table chains whose names start with `<prefix>-`. */
export function ownedChains(prefix: string, runner: Runner = execRunner): Promise<string[]> {
  return new Iptables(runner).ownedChains('filter', prefix);
}

/** applyRules replaces our chains with `rendered` in one transaction and makes sure FORWARD jumps to the main chain first. */
export async function applyRules(rendered: RenderedRules, prefix: string, runner: Runner = execRunner): Promise<void> {
  const iptables = new Iptables(runner);
  const stale = (await iptables.ownedChains('filter', prefix)).filter((c) => !rendered.chains.has(c));
  await iptables.restore(toRestoreInput(rendered, stale));
  try {
    await iptables.run(['-C', 'FORWARD', '-j', rendered.main]);
  } catch {
    // Inserted first so no other FORWARD rule can accept pod traffic before policy sees it.
    await iptables.run(['-I', 'FORWARD', '1', '-j', rendered.main]);
  }
}

/** removeRules deletes the FORWARD jump(s) and every chain with our prefix. */
export async function removeRules(prefix: string, runner: Runner = execRunner): Promise<void> {
  const iptables = new Iptables(runner);
  const main = `${prefix}-FORWARD`;
  for (let i = 0; i < 10; i++) {
    try {
      await iptables.run(['-D', 'FORWARD', '-j', main]);
    } catch {
      break;
    }
  }
  const chains = await iptables.ownedChains('filter', prefix);
  if (chains.length) await iptables.restore(toRestoreInput({ main, chains: new Map() }, chains));
}

const BRIDGE_NF = '/proc/sys/net/bridge/bridge-nf-call-iptables';

/**
 * ensureBridgeNetfilter makes frames switched between two ports of a Linux
 * bridge (two pods on the node's CNI bridge) pass through iptables. Without
 * it, pod-to-pod traffic on one node never reaches FORWARD and no policy
 * applies to it; kubeadm's preflight checks the same sysctl for the same
 * reason. Returns a message describing what it did, or why it could not.
 */
export async function ensureBridgeNetfilter(runner: Runner = execRunner): Promise<string> {
  let value: string;
  try {
    value = readFileSync(BRIDGE_NF, 'utf8').trim();
  } catch {
    try {
      await runner('modprobe', ['br_netfilter']);
      value = readFileSync(BRIDGE_NF, 'utf8').trim();
    } catch (err) {
      return `br_netfilter is not available (${(err as Error).message.split('\n')[0]}); policies apply only to routed pod traffic`;
    }
  }
  if (value === '1') return 'bridge-nf-call-iptables already 1';
  try {
    writeFileSync(BRIDGE_NF, '1');
    return 'set bridge-nf-call-iptables to 1';
  } catch (err) {
    return `cannot set ${BRIDGE_NF}: ${(err as Error).message}`;
  }
}
