// SPDX-License-Identifier: Apache-2.0
/**
 * Renders NetworkPolicies into iptables filter rules for the pods of one
 * node. Semantics follow networking/v1 (and the upstream network policy
 * e2e suite):
 * - A pod is isolated for a direction once any policy in its namespace
 *   selects it with that policyType; traffic that direction is then allowed
 *   only if some rule of some selecting policy allows it (rules add up).
 * - A connection needs both the source pod's egress and the destination
 *   pod's ingress; replies of allowed connections pass (conntrack).
 * - Peers: podSelector (the policy's namespace), namespaceSelector (all
 *   pods of the matching namespaces), both (matching pods of matching
 *   namespaces), ipBlock (cidr minus except). No peers means everyone; no
 *   ports means every port. Named ports resolve against the destination
 *   pod's container ports; endPort makes a range.
 * - Traffic from and to the node itself is always allowed, as upstream
 *   documents: it does not cross the FORWARD hook.
 *
 * Layout: `<prefix>-FORWARD` (jumped to from FORWARD) accepts replies and
 * sends each isolated pod's traffic to its own chain, `<prefix>-E-<hash>`
 * for egress and `<prefix>-I-<hash>` for ingress. A pod chain RETURNs what
 * its policies allow and DROPs the rest, so an allowed packet goes on to
 * the other direction's check and then to the rest of FORWARD untouched.
 */
import { createHash } from 'node:crypto';
import type { Namespace, Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1.js';
import { fromLabelSelector, matchesLabels } from '../machinery/index.js';
import { isIPv4CIDR, subtractCIDRs } from './cidr.js';

/** DEFAULT_CHAIN_PREFIX prefixes every chain the enforcer owns. */
export const DEFAULT_CHAIN_PREFIX = 'SKIFF-NP';
/** NAMESPACE_NAME_LABEL is the label the API server puts on every Namespace (its own name). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** MAX_CHAIN_NAME is iptables' limit on chain names (XT_EXTENSION_MAXNAMELEN - 1). */
const MAX_CHAIN_NAME = 28;

/** Direction is a policyType. */
export type Direction = 'Ingress' | 'Egress';

/** PolicyInput is the cluster state rules are rendered from (cache objects; never changed). */
export interface PolicyInput {
  policies: readonly NetworkPolicy[];
  pods: readonly Pod[];
  namespaces: readonly Namespace[];
  nodeName: string;
  chainPrefix?: string;
}

/** RenderedRules maps each chain to its rules (the arguments after `-A <chain>`), in order; `main` is the chain FORWARD jumps to. */
export interface RenderedRules {
  main: string;
  chains: Map<string, string[]>;
}

interface PeerPod {
  ip: string;
  pod: Pod;
}

/** podIPv4 is the pod's IPv4 address, or undefined for pods policies do not apply to (host network, finished, no IP yet). */
export function podIPv4(pod: Pod): string | undefined {
  if (pod.spec?.hostNetwork || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return undefined;
  const ips = [...(pod.status?.podIPs ?? []).map((p) => p.ip), pod.status?.podIP];
  return ips.find((ip): ip is string => !!ip && isIPv4CIDR(ip) && !ip.includes('/'));
}

/** policyTypesOf reads policyTypes, defaulting as the API server does (Egress only when egress rules exist). */
export function policyTypesOf(p: NetworkPolicy): Direction[] {
  const t = p.spec?.policyTypes;
  if (t?.length) return t.filter((x): x is Direction => x === 'Ingress' || x === 'Egress');
  return p.spec?.egress?.length ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** podChainName names the chain of one pod and direction: a hash keeps it unique and under iptables' length limit. */
export function podChainName(prefix: string, dir: Direction, pod: Pod): string {
  const head = `${prefix}-${dir === 'Ingress' ? 'I' : 'E'}-`;
  const hash = createHash('sha256').update(`${pod.metadata?.namespace}/${pod.metadata?.name}`).digest('hex').toUpperCase();
  return head + hash.slice(0, Math.max(4, Math.min(16, MAX_CHAIN_NAME - head.length)));
}

/** renderPolicyRules computes every chain for the node's pods; it is pure. */
export function renderPolicyRules(input: PolicyInput): RenderedRules {
  const prefix = input.chainPrefix ?? DEFAULT_CHAIN_PREFIX;
  const main = `${prefix}-FORWARD`;
  const chains = new Map<string, string[]>([[main, []]]);
  const ctx = new RenderContext(input);
  const jumps: string[][] = [[], []];
  const local = input.pods.filter((p) => p.spec?.nodeName === input.nodeName && podIPv4(p)).sort(byKey);
  for (const pod of local) {
    ['Egress', 'Ingress'].forEach((dir, i) => {
      const selecting = ctx.policiesSelecting(pod, dir as Direction);
      if (selecting.length === 0) return;
      const chain = podChainName(prefix, dir as Direction, pod);
      chains.set(chain, ctx.podChainRules(pod, dir as Direction, selecting));
      const ip = podIPv4(pod)!;
      const comment = `${pod.metadata?.namespace}/${pod.metadata?.name} ${dir.toLowerCase()}`;
      jumps[i].push(`${dir === 'Egress' ? '-s' : '-d'} ${ip}/32 -m comment --comment "${comment}" -j ${chain}`);
    });
  }
  if (jumps[0].length + jumps[1].length > 0) {
    chains.get(main)!.push('-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', ...jumps[0], ...jumps[1]);
  }
  return { main, chains };
}

/** RenderContext holds the lookups one rendering needs (pods by namespace, namespace labels). */
class RenderContext {
  readonly #input: PolicyInput;
  readonly #nsLabels = new Map<string, Record<string, string>>();
  readonly #peers: PeerPod[];

  constructor(input: PolicyInput) {
    this.#input = input;
    for (const ns of input.namespaces) {
      const name = ns.metadata?.name ?? '';
      this.#nsLabels.set(name, { ...ns.metadata?.labels, [NAMESPACE_NAME_LABEL]: name });
    }
    this.#peers = input.pods.flatMap((pod) => {
      const ip = podIPv4(pod);
      return ip ? [{ ip, pod }] : [];
    }).sort((a, b) => byKey(a.pod, b.pod));
  }

  policiesSelecting(pod: Pod, dir: Direction): NetworkPolicy[] {
    return this.#input.policies
      .filter((p) => p.metadata?.namespace === pod.metadata?.namespace && policyTypesOf(p).includes(dir) && matchesLabels(fromLabelSelector(p.spec?.podSelector), pod.metadata?.labels))
      .sort(byKey);
  }

  podChainRules(pod: Pod, dir: Direction, policies: readonly NetworkPolicy[]): string[] {
    const out: string[] = [];
    for (const policy of policies) {
      const rules = dir === 'Ingress' ? policy.spec?.ingress ?? [] : policy.spec?.egress ?? [];
      rules.forEach((rule, i) => {
        const peers = 'from' in rule ? rule.from : 'to' in rule ? rule.to : undefined;
        const comment = `-m comment --comment "${policy.metadata?.namespace}/${policy.metadata?.name} ${dir.toLowerCase()}[${i}]"`;
        for (const m of this.#ruleMatches(pod, dir, peers ?? [], rule.ports ?? [])) out.push(`${m}${m ? ' ' : ''}${comment} -j RETURN`);
      });
    }
    out.push('-j DROP');
    return out;
  }

  /** ruleMatches lists the match expressions of one rule: peers × ports, each a string of iptables matches. */
  #ruleMatches(pod: Pod, dir: Direction, peers: readonly NetworkPolicyPeer[], ports: readonly NetworkPolicyPort[]): string[] {
    const flag = dir === 'Ingress' ? '-s' : '-d';
    // For ingress the destination is the selected pod itself; for egress each peer pod resolves its own named ports.
    const portsFor = (dest: Pod | undefined): string[] => (ports.length === 0 ? [''] : ports.flatMap((p) => portMatches(p, dest)));
    if (peers.length === 0) return portsFor(dir === 'Ingress' ? pod : undefined);
    const out: string[] = [];
    for (const peer of peers) {
      if (peer.ipBlock) {
        const cidrs = subtractCIDRs(peer.ipBlock.cidr, peer.ipBlock.except ?? []) ?? [];
        for (const c of cidrs) for (const pm of portsFor(dir === 'Ingress' ? pod : undefined)) out.push(join(`${flag} ${c}`, pm));
        continue;
      }
      for (const peerPod of this.#peerPods(peer, pod.metadata?.namespace ?? '')) {
        for (const pm of portsFor(dir === 'Ingress' ? pod : peerPod.pod)) out.push(join(`${flag} ${peerPod.ip}/32`, pm));
      }
    }
    return out;
  }

  #peerPods(peer: NetworkPolicyPeer, policyNamespace: string): PeerPod[] {
    const podSel = peer.podSelector ? fromLabelSelector(peer.podSelector) : undefined;
    const nsSel = peer.namespaceSelector ? fromLabelSelector(peer.namespaceSelector) : undefined;
    return this.#peers.filter(({ pod }) => {
      const ns = pod.metadata?.namespace ?? '';
      if (nsSel ? !matchesLabels(nsSel, this.#nsLabels.get(ns) ?? { [NAMESPACE_NAME_LABEL]: ns }) : ns !== policyNamespace) return false;
      return !podSel || matchesLabels(podSel, pod.metadata?.labels);
    });
  }
}

/**
 * portMatches renders one NetworkPolicyPort: protocol (TCP by default),
 * port or named port (resolved on `dest`, the pod receiving the traffic;
 * unresolvable names match nothing, as upstream), endPort as a range.
 */
export function portMatches(p: NetworkPolicyPort, dest: Pod | undefined): string[] {
  const proto = (p.protocol ?? 'TCP').toLowerCase();
  if (p.port === undefined) return [`-p ${proto}`];
  if (typeof p.port === 'number') return [`-p ${proto} -m ${proto} --dport ${p.port}${p.endPort ? `:${p.endPort}` : ''}`];
  if (/^\d+$/.test(p.port)) return [`-p ${proto} -m ${proto} --dport ${p.port}`];
  const numbers = new Set<number>();
  for (const c of [...(dest?.spec?.containers ?? []), ...(dest?.spec?.initContainers ?? [])]) {
    for (const cp of c.ports ?? []) if (cp.name === p.port && (cp.protocol ?? 'TCP').toLowerCase() === proto) numbers.add(cp.containerPort);
  }
  return [...numbers].sort((a, b) => a - b).map((n) => `-p ${proto} -m ${proto} --dport ${n}`);
}

function join(a: string, b: string): string {
  return b ? `${a} ${b}` : a;
}

function byKey(a: { metadata?: { namespace?: string; name?: string } }, b: { metadata?: { namespace?: string; name?: string } }): number {
  const ka = `${a.metadata?.namespace}/${a.metadata?.name}`;
  const kb = `${b.metadata?.namespace}/${b.metadata?.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * toRestoreInput renders the chains as `iptables-restore --noflush` input
 * for the filter table: declaring a chain flushes it, so the whole set is
 * replaced in one transaction; `stale` chains (ours, no longer wanted) are
 * flushed and deleted in the same transaction.
 */
export function toRestoreInput(rendered: RenderedRules, stale: readonly string[]): string {
  const lines = ['*filter'];
  for (const name of rendered.chains.keys()) lines.push(`:${name} - [0:0]`);
  for (const name of stale) lines.push(`:${name} - [0:0]`);
  for (const [name, rules] of rendered.chains) for (const r of rules) lines.push(`-A ${name} ${r}`);
  for (const name of stale) lines.push(`-X ${name}`);
  lines.push('COMMIT', '');
  return lines.join('\n');
}
