// SPDX-License-Identifier: Apache-2.0
/**
 * Masquerading for the pod network, as flannel's --ip-masq rules
 * (pkg/ip/iptables: MasqRules): traffic between pods, on any node, keeps
 * its addresses; pod traffic leaving the cluster CIDR takes the node's
 * address; a node's own traffic into remote pods' ranges is masqueraded so
 * replies come back through the pod network. Multicast is left alone.
 */
import type { Runner } from './links.js';

/** masqueradeRules are the rules of the node's POSTROUTING chain, in order. */
export function masqueradeRules(chain: string, clusterCIDR: string, podCIDR: string): string[][] {
  const c = (text: string) => ['-m', 'comment', '--comment', `skiff pod network: ${text}`];
  return [
    ['-s', clusterCIDR, '-d', clusterCIDR, ...c('pod to pod, no NAT'), '-j', 'RETURN'],
    ['-s', clusterCIDR, '!', '-d', '224.0.0.0/4', ...c('pods leaving the cluster CIDR'), '-j', 'MASQUERADE', '--random-fully'],
    ['!', '-s', clusterCIDR, '-d', podCIDR, ...c('into this node\'s pods, no NAT'), '-j', 'RETURN'],
    ['!', '-s', clusterCIDR, '-d', clusterCIDR, ...c('node to remote pods'), '-j', 'MASQUERADE', '--random-fully'],
  ].map((r) => ['-A', chain, ...r]);
}

const JUMP = (chain: string) => ['POSTROUTING', '-m', 'comment', '--comment', 'skiff pod network masquerading', '-j', chain];

/** applyMasquerade (re)writes the chain and makes sure POSTROUTING jumps to it. */
export function applyMasquerade(run: Runner, chain: string, clusterCIDR: string, podCIDR: string): void {
  const ipt = (args: string[]) => run('iptables', ['-w', '-t', 'nat', ...args]);
  if (!ipt(['-S', chain]).ok) {
    const r = ipt(['-N', chain]);
    if (!r.ok) throw new Error(`iptables -N ${chain}: ${r.out.trim()}`);
  }
  ipt(['-F', chain]);
  for (const rule of masqueradeRules(chain, clusterCIDR, podCIDR)) {
    const r = ipt(rule);
    if (!r.ok) throw new Error(`iptables ${rule.join(' ')}: ${r.out.trim()}`);
  }
  if (!ipt(['-C', ...JUMP(chain)]).ok) {
    const r = ipt(['-A', ...JUMP(chain)]);
    if (!r.ok) throw new Error(`iptables -A POSTROUTING: ${r.out.trim()}`);
  }
}

/** removeMasquerade deletes the jump and the chain. */
export function removeMasquerade(run: Runner, chain: string): void {
  const ipt = (args: string[]) => run('iptables', ['-w', '-t', 'nat', ...args]);
  while (ipt(['-D', ...JUMP(chain)]).ok);
  ipt(['-F', chain]);
  ipt(['-X', chain]);
}
