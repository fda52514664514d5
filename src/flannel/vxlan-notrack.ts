// SPDX-License-Identifier: Apache-2.0
/**
 * VXLAN packets are not connection-tracked. Each one is a UDP datagram to
 * port 8472 whose source port is a hash of the inner flow, so every new pod
 * connection between nodes makes fresh, never-replied UDP entries on both
 * nodes (one per direction), and every such first packet walks the nat
 * table too. Tracking them buys nothing: the tunnel is stateless, the inner
 * packets are tracked on their own. Calico (felix, "ensure vxlan udp flows
 * are not tracked in conntrack") and OpenShift SDN (a raw-table NOTRACK for
 * VXLAN) skip them the same way; flannel itself does not.
 *
 * The rules match only this node's tunnel: datagrams to VXLAN_PORT leaving
 * from the node address (raw OUTPUT) and arriving at it (raw PREROUTING).
 */
import type { Runner } from './links.js';
import { VXLAN_PORT } from './backend-data.js';

const HOOKS = ['PREROUTING', 'OUTPUT'] as const;

/** notrackRules are the raw-table rules of `chain` for a node whose tunnel ends at nodeIP. */
export function notrackRules(chain: string, nodeIP: string): string[][] {
  const c = ['-m', 'comment', '--comment', 'skiff pod network: VXLAN is not connection-tracked'];
  return [
    ['-A', chain, '-d', `${nodeIP}/32`, '-p', 'udp', '--dport', String(VXLAN_PORT), ...c, '-j', 'NOTRACK'],
    ['-A', chain, '-s', `${nodeIP}/32`, '-p', 'udp', '--dport', String(VXLAN_PORT), ...c, '-j', 'NOTRACK'],
  ];
}

const jump = (hook: string, chain: string) => [hook, '-m', 'comment', '--comment', 'skiff pod network VXLAN notrack', '-j', chain];

/** applyVxlanNotrack (re)writes the chain and hooks it into raw PREROUTING and OUTPUT once. */
export function applyVxlanNotrack(run: Runner, chain: string, nodeIP: string): void {
  const ipt = (args: string[]) => run('iptables', ['-w', '-t', 'raw', ...args]);
  const must = (args: string[]) => {
    const r = ipt(args);
    if (!r.ok) throw new Error(`iptables -t raw ${args.join(' ')}: ${r.out.trim()}`);
  };
  if (!ipt(['-S', chain]).ok) must(['-N', chain]);
  must(['-F', chain]);
  for (const rule of notrackRules(chain, nodeIP)) must(rule);
  for (const hook of HOOKS) if (!ipt(['-C', ...jump(hook, chain)]).ok) must(['-A', ...jump(hook, chain)]);
}

/** removeVxlanNotrack deletes the hooks and the chain (missing ones are fine). */
export function removeVxlanNotrack(run: Runner, chain: string): void {
  const ipt = (args: string[]) => run('iptables', ['-w', '-t', 'raw', ...args]);
  for (const hook of HOOKS) while (ipt(['-D', ...jump(hook, chain)]).ok);
  ipt(['-F', chain]);
  ipt(['-X', chain]);
}
