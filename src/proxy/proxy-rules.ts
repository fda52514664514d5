// SPDX-License-Identifier: Apache-2.0
/**
 * renderRules turns the proxy's view of Services into iptables rules, as
 * data. It follows kube-proxy's iptables mode (pkg/proxy/iptables/proxier.go)
 * closely, so its behaviour and its failure modes are the well-known ones:
 *
 *   nat  PREROUTING/OUTPUT → <P>-SERVICES: cluster IPs → <P>-SVC-x (or -SVL-x for
 *        internalTrafficPolicy Local); external IPs and load-balancer IPs →
 *        <P>-EXT-x; last, any local destination → <P>-NODEPORTS → <P>-EXT-x.
 *        <P>-SVC-x spreads new connections with `statistic --mode random`
 *        (probability 1/n, 1/(n-1), ... so each endpoint gets 1/n) over
 *        <P>-SEP-y, which DNATs. ClientIP affinity uses `recent` lists, one per
 *        endpoint chain. Traffic that must be SNATed (from outside the cluster
 *        CIDR to a cluster IP, hairpin, node-originated NodePort traffic) is
 *        marked in <P>-MARK-MASQ and masqueraded in <P>-POSTROUTING.
 *   filter  INPUT/FORWARD/OUTPUT → <P>-SERVICES / <P>-EXTERNAL reject
 *        traffic to services without endpoints (so clients fail fast instead
 *        of timing out), <P>-FORWARD accepts what we translated even when the
 *        FORWARD policy is DROP, <P>-FIREWALL drops martian 127/8 traffic
 *        that route_localnet would otherwise let in (CVE-2020-8558).
 */
import { ChainNames } from './chain-names.js';
import { usableEndpoints, type ProxyEndpoint, type ServicePortInfo } from './service-port.js';

/** RuleConfig is what the rules depend on besides Services and endpoints. */
export interface RuleConfig {
  names: ChainNames;
  /** clusterCIDR: traffic to a cluster IP from outside it is masqueraded (kube-proxy's --cluster-cidr). */
  clusterCIDR?: string;
  /** masqueradeMark is the fwmark bit asking for SNAT (kube-proxy: 0x4000). */
  masqueradeMark: number;
  /** localhostNodePorts: NodePorts also answer on 127.0.0.1 (needs route_localnet=1). */
  localhostNodePorts: boolean;
}

/** Jump is one rule in a built-in chain sending traffic into ours. */
export interface Jump {
  table: 'nat' | 'filter';
  chain: string;
  /** rule is the match and target, without `-A <chain>`. */
  rule: string;
  target: string;
}

/** RuleSet is every chain and rule one proxy wants, per table. Rule lines are complete `-A CHAIN ...` lines. */
export interface RuleSet {
  nat: { chains: string[]; rules: string[] };
  filter: { chains: string[]; rules: string[] };
  jumps: Jump[];
}

/** jumpsFor lists the built-in chain rules that hook a prefix's chains in. */
export function jumpsFor(n: ChainNames): Jump[] {
  const j = (table: Jump['table'], chain: string, match: string, target: string): Jump => ({ table, chain, rule: `${match}-j ${target}`, target });
  return [
    j('nat', 'PREROUTING', `-m comment --comment "${n.prefix} service portals" `, n.services),
    j('nat', 'OUTPUT', `-m comment --comment "${n.prefix} service portals" `, n.services),
    j('nat', 'POSTROUTING', `-m comment --comment "${n.prefix} postrouting rules" `, n.postrouting),
    j('filter', 'INPUT', `-m conntrack --ctstate NEW -m comment --comment "${n.prefix} externally-visible service portals" `, n.external),
    j('filter', 'INPUT', '', n.firewall),
    j('filter', 'FORWARD', `-m comment --comment "${n.prefix} forwarding rules" `, n.forward),
    j('filter', 'FORWARD', `-m conntrack --ctstate NEW -m comment --comment "${n.prefix} service portals" `, n.services),
    j('filter', 'FORWARD', `-m conntrack --ctstate NEW -m comment --comment "${n.prefix} externally-visible service portals" `, n.external),
    j('filter', 'OUTPUT', `-m conntrack --ctstate NEW -m comment --comment "${n.prefix} service portals" `, n.services),
  ];
}

/** renderRules computes the whole desired rule set for the given service ports. */
export function renderRules(ports: readonly ServicePortInfo[], cfg: RuleConfig): RuleSet {
  const n = cfg.names;
  const mark = `0x${cfg.masqueradeMark.toString(16)}`;
  const nat = new TableBuilder([n.services, n.nodePorts, n.postrouting, n.markMasq]);
  const filter = new TableBuilder([n.services, n.external, n.forward, n.firewall]);
  nat.add(n.markMasq, `-j MARK --or-mark ${mark}`);
  nat.add(n.postrouting, `-m mark ! --mark ${mark}/${mark} -j RETURN`);
  // Clear the mark so a packet re-entering the stack (e.g. via a tunnel) is not SNATed twice, as kube-proxy does.
  nat.add(n.postrouting, `-j MARK --xor-mark ${mark}`);
  nat.add(n.postrouting, `-m comment --comment "${n.prefix} service traffic requiring SNAT" -j MASQUERADE --random-fully`);
  filter.add(n.forward, `-m comment --comment "${n.prefix} forwarding rules" -m mark --mark ${mark}/${mark} -j ACCEPT`);
  filter.add(n.forward, `-m comment --comment "${n.prefix} forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
  if (cfg.localhostNodePorts) {
    filter.add(n.firewall, `! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`);
  }
  for (const sp of ports) renderServicePort(sp, cfg, nat, filter);
  const notLocalhost = cfg.localhostNodePorts ? '' : '! -d 127.0.0.0/8 ';
  nat.add(n.services, `-m comment --comment "${n.prefix} service nodeports; NOTE: this must be the last rule in this chain" ${notLocalhost}-m addrtype --dst-type LOCAL -j ${n.nodePorts}`);
  return { nat: nat.build(), filter: filter.build(), jumps: jumpsFor(n) };
}

/** TableBuilder collects chains in creation order and their rules. */
class TableBuilder {
  readonly #chains: string[] = [];
  readonly #rules = new Map<string, string[]>();

  constructor(fixed: string[]) {
    for (const c of fixed) this.chain(c);
  }

  /** chain declares a chain; it returns false when it already existed. */
  chain(name: string): boolean {
    if (this.#rules.has(name)) return false;
    this.#chains.push(name);
    this.#rules.set(name, []);
    return true;
  }

  add(chain: string, rule: string): void {
    this.chain(chain);
    this.#rules.get(chain)!.push(`-A ${chain} ${rule}`);
  }

  build(): { chains: string[]; rules: string[] } {
    return { chains: [...this.#chains], rules: this.#chains.flatMap((c) => this.#rules.get(c)!) };
  }
}

function proto(sp: ServicePortInfo, port: number): string {
  const p = sp.protocol.toLowerCase();
  return `-p ${p} -m ${p} --dport ${port}`;
}

function renderServicePort(sp: ServicePortInfo, cfg: RuleConfig, nat: TableBuilder, filter: TableBuilder): void {
  const n = cfg.names;
  const c = sp.key;
  const all = usableEndpoints(sp.endpoints);
  const local = usableEndpoints(sp.endpoints.filter((e) => e.local));
  const hasExternal = sp.nodePort !== undefined || sp.externalIPs.length > 0 || sp.loadBalancerIPs.length > 0;
  const svc = n.serviceChain(c + '/' + sp.protocol);
  const svl = n.localChain(c + '/' + sp.protocol);
  const ext = n.externalChain(c + '/' + sp.protocol);
  const clusterEps = sp.internalLocal ? local : all;
  const clusterTarget = sp.internalLocal ? svl : svc;
  // Node-originated and in-cluster traffic to external destinations still goes cluster-wide under Local policy, as upstream.
  const externalReachable = hasExternal && all.length > 0;

  if (all.length > 0 && (!sp.internalLocal || hasExternal)) renderSpread(sp, cfg, nat, svc, all, !sp.internalLocal);
  if (local.length > 0 && (sp.internalLocal || sp.externalLocal)) renderSpread(sp, cfg, nat, svl, local, sp.internalLocal);

  for (const ip of sp.clusterIPs) {
    const match = `-d ${ip}/32 ${proto(sp, sp.port)}`;
    if (clusterEps.length > 0) nat.add(n.services, `-m comment --comment "${c} cluster IP" ${match} -j ${clusterTarget}`);
    else if (all.length === 0) filter.add(n.services, `-m comment --comment "${c} has no endpoints" ${match} -j REJECT --reject-with icmp-port-unreachable`);
    else filter.add(n.services, `-m comment --comment "${c} has no local endpoints" ${match} -j DROP`);
  }
  if (!hasExternal) return;

  const externalDests = [...sp.externalIPs.map((ip) => ({ ip, what: 'external IP' })), ...sp.loadBalancerIPs.map((ip) => ({ ip, what: 'loadbalancer IP' }))];
  if (externalReachable) {
    renderExternalChain(sp, cfg, nat, ext, svc, svl, local.length > 0);
    for (const d of externalDests) nat.add(n.services, `-m comment --comment "${c} ${d.what}" -d ${d.ip}/32 ${proto(sp, sp.port)} -j ${ext}`);
    if (sp.nodePort !== undefined) nat.add(n.nodePorts, `-m comment --comment "${c}" ${proto(sp, sp.nodePort)} -j ${ext}`);
  }
  // Without endpoints (or, under Local policy, without local ones) external traffic is refused in filter; internal sources were already DNATed in nat.
  const missing = all.length === 0 ? { why: 'has no endpoints', verdict: 'REJECT --reject-with icmp-port-unreachable' } : sp.externalLocal && local.length === 0 ? { why: 'has no local endpoints', verdict: 'DROP' } : undefined;
  if (!missing) return;
  for (const d of externalDests) filter.add(n.external, `-m comment --comment "${c} ${missing.why}" -d ${d.ip}/32 ${proto(sp, sp.port)} -j ${missing.verdict}`);
  if (sp.nodePort !== undefined) filter.add(n.external, `-m comment --comment "${c} ${missing.why}" -m addrtype --dst-type LOCAL ${proto(sp, sp.nodePort)} -j ${missing.verdict}`);
}

/** renderExternalChain: masquerade and go cluster-wide (policy Cluster), or keep the client IP and stay local (policy Local). */
function renderExternalChain(sp: ServicePortInfo, cfg: RuleConfig, nat: TableBuilder, ext: string, svc: string, svl: string, hasLocal: boolean): void {
  const n = cfg.names;
  const c = sp.key;
  if (!sp.externalLocal) {
    nat.add(ext, `-m comment --comment "masquerade traffic for ${c} external destinations" -j ${n.markMasq}`);
    nat.add(ext, `-j ${svc}`);
    return;
  }
  if (cfg.clusterCIDR) nat.add(ext, `-s ${cfg.clusterCIDR} -m comment --comment "pod traffic for ${c} external destinations" -j ${svc}`);
  nat.add(ext, `-m comment --comment "masquerade LOCAL traffic for ${c} external destinations" -m addrtype --src-type LOCAL -j ${n.markMasq}`);
  nat.add(ext, `-m comment --comment "route LOCAL traffic for ${c} external destinations" -m addrtype --src-type LOCAL -j ${svc}`);
  if (hasLocal) nat.add(ext, `-j ${svl}`);
}

/** renderSpread writes a chain choosing one endpoint per new connection, and the endpoints' DNAT chains. */
function renderSpread(sp: ServicePortInfo, cfg: RuleConfig, nat: TableBuilder, chain: string, eps: ProxyEndpoint[], clusterPolicy: boolean): void {
  const n = cfg.names;
  const c = sp.key;
  nat.chain(chain);
  if (cfg.clusterCIDR && clusterPolicy) {
    for (const ip of sp.clusterIPs) {
      nat.add(chain, `-m comment --comment "${c} cluster IP" ! -s ${cfg.clusterCIDR} -d ${ip}/32 ${proto(sp, sp.port)} -j ${n.markMasq}`);
    }
  }
  const seps = eps.map((e) => ({ e, chain: n.endpointChain(c + '/' + sp.protocol, `${e.ip}:${e.port}`) }));
  if (sp.affinitySeconds !== undefined) {
    for (const s of seps) {
      nat.add(chain, `-m comment --comment "${c} -> ${s.e.ip}:${s.e.port}" -m recent --name ${s.chain} --rcheck --seconds ${sp.affinitySeconds} --reap -j ${s.chain}`);
    }
  }
  seps.forEach((s, i) => {
    const left = seps.length - i;
    const stat = left > 1 ? `-m statistic --mode random --probability ${(1 / left).toFixed(10)} ` : '';
    nat.add(chain, `-m comment --comment "${c} -> ${s.e.ip}:${s.e.port}" ${stat}-j ${s.chain}`);
  });
  for (const s of seps) {
    // An endpoint chain shared by the cluster-wide and the local spread is written once.
    if (!nat.chain(s.chain)) continue;
    nat.add(s.chain, `-m comment --comment "${c}" -s ${s.e.ip}/32 -j ${n.markMasq}`);
    const recent = sp.affinitySeconds !== undefined ? `-m recent --name ${s.chain} --set ` : '';
    const p = sp.protocol.toLowerCase();
    nat.add(s.chain, `-m comment --comment "${c}" -p ${p} ${recent}-m ${p} -j DNAT --to-destination ${s.e.ip}:${s.e.port}`);
  }
}
