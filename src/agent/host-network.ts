// SPDX-License-Identifier: Apache-2.0
/**
 * Host network safety for a node (DESIGN §5): the cluster and service CIDRs
 * are routed into a sink link, so a packet for a pod or ClusterIP that no
 * rule has translated dies on this machine instead of following the default
 * route onto the LAN. The per-node bridge route (the node's /24 of the
 * cluster CIDR) is more specific and still wins for local pods.
 *
 * Why a sink link and not a blackhole route: for traffic the node itself
 * sends, routing happens before netfilter's OUTPUT DNAT, and a blackhole (or
 * unreachable) route makes connect() fail before kube-proxy-style rules can
 * translate a ClusterIP. A route through a link that drops everything lets
 * DNAT happen and the packet be re-routed to its pod; untranslated packets
 * still go nowhere. `ifb` links drop what they are given (this kernel has
 * no `dummy` driver).
 */
import { spawnSync } from 'node:child_process';

function ip(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** routeExists reports whether the main table has a route for exactly this CIDR (any type). */
function routeExists(cidr: string): boolean {
  return ip(['route', 'show', 'exact', cidr]).out.trim() !== '' || ip(['route', 'show', 'type', 'blackhole', 'exact', cidr]).out.trim() !== '';
}

/** ensureSinkRoutes routes each CIDR into `link` (created if missing) and returns the CIDRs it routed, so cleanup removes only those. */
export function ensureSinkRoutes(link: string, cidrs: string[]): string[] {
  if (!ip(['link', 'show', link]).ok) {
    const add = ip(['link', 'add', link, 'type', 'ifb']);
    if (!add.ok && !/File exists/.test(add.out)) throw new Error(`ip link add ${link} type ifb: ${add.out.trim()}`);
  }
  const up = ip(['link', 'set', link, 'up']);
  if (!up.ok) throw new Error(`ip link set ${link} up: ${up.out.trim()}`);
  const added: string[] = [];
  for (const cidr of cidrs) {
    if (routeExists(cidr)) continue;
    const r = ip(['route', 'add', cidr, 'dev', link]);
    if (!r.ok && !/File exists/.test(r.out)) throw new Error(`ip route add ${cidr} dev ${link}: ${r.out.trim()}`);
    if (r.ok) added.push(cidr);
  }
  return added;
}

/** removeSinkRoutes deletes the routes this node added and its sink link. */
export function removeSinkRoutes(link: string, cidrs: string[]): void {
  for (const cidr of cidrs) ip(['route', 'del', cidr, 'dev', link]);
  ip(['link', 'delete', link]);
}

/** deleteLink removes a network interface (the node's CNI bridge) if present. */
export function deleteLink(name: string): void {
  ip(['link', 'delete', name]);
}
