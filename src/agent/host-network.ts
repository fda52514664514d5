// SPDX-License-Identifier: Apache-2.0
/**
 * Host network safety for a node (DESIGN §5): blackhole routes for the
 * cluster and service CIDRs, so a packet for a pod or ClusterIP that no rule
 * has handled dies on this machine instead of following the default route
 * onto the LAN. The per-node bridge route (the node's /24 of the cluster
 * CIDR) is more specific and still wins for local pods.
 */
import { spawnSync } from 'node:child_process';

function ip(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** hasBlackholeRoute reports whether a blackhole route for cidr exists in the main table. */
export function hasBlackholeRoute(cidr: string): boolean {
  return ip(['route', 'show', 'type', 'blackhole']).out.split('\n').some((l) => l.trim().startsWith(`blackhole ${cidr}`));
}

/** ensureBlackholeRoutes installs blackhole routes for each CIDR and returns the ones it added (so cleanup removes only those). */
export function ensureBlackholeRoutes(cidrs: string[]): string[] {
  const added: string[] = [];
  for (const cidr of cidrs) {
    if (hasBlackholeRoute(cidr)) continue;
    const r = ip(['route', 'add', 'blackhole', cidr]);
    if (!r.ok && !/File exists/.test(r.out)) throw new Error(`ip route add blackhole ${cidr}: ${r.out.trim()}`);
    if (r.ok) added.push(cidr);
  }
  return added;
}

/** removeBlackholeRoutes deletes blackhole routes this node added. */
export function removeBlackholeRoutes(cidrs: string[]): void {
  for (const cidr of cidrs) ip(['route', 'del', 'blackhole', cidr]);
}

/** deleteLink removes a network interface (the node's CNI bridge) if present. */
export function deleteLink(name: string): void {
  ip(['link', 'delete', name]);
}
