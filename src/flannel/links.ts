// SPDX-License-Identifier: Apache-2.0
/**
 * The kernel objects of the pod network, made with iproute2 as flannel makes
 * them with netlink: the VXLAN device (`flannel.<VNI>`, learning off, the
 * node's pod network address /32 on it), and per remote node a route to its
 * podCIDR, a permanent neighbour entry for its VTEP and a forwarding entry
 * sending that MAC to its node address (flannel pkg/backend/vxlan); or, for
 * host-gw, one route to the podCIDR via the node address.
 */
import { spawnSync } from 'node:child_process';
import type { Peer } from './backend-data.js';
import { VXLAN_OVERHEAD, VXLAN_PORT, VXLAN_VNI, vtepMAC } from './backend-data.js';

/** Runner runs one command and returns whether it succeeded with its output (tests inject a fake). */
export type Runner = (cmd: string, args: string[]) => { ok: boolean; out: string };

export const execRunner: Runner = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
};

function must(run: Runner, cmd: string, args: string[]): string {
  const r = run(cmd, args);
  if (!r.ok) throw new Error(`${cmd} ${args.join(' ')}: ${r.out.trim()}`);
  return r.out;
}

/** VXLAN_DEVICE is flannel's device name for the default VNI. */
export const VXLAN_DEVICE = `flannel.${VXLAN_VNI}`;

/** networkAddress is the first address of a CIDR (flannel's VTEP address for a subnet). */
export function networkAddress(cidr: string): string {
  return cidr.split('/')[0];
}

/** linkOfAddress names the interface holding an IPv4 address, or undefined. */
export function linkOfAddress(run: Runner, address: string): string | undefined {
  const out = run('ip', ['-o', '-4', 'addr', 'show']).out;
  for (const line of out.split('\n')) {
    const m = /^\d+:\s+(\S+)\s+inet\s+([\d.]+)\//.exec(line);
    if (m && m[2] === address) return m[1].split('@')[0];
  }
  return undefined;
}

/** linkMTU reads an interface's MTU (1500 when it cannot be read). */
export function linkMTU(run: Runner, link: string | undefined): number {
  if (!link) return 1500;
  const m = /\bmtu (\d+)/.exec(run('ip', ['-o', 'link', 'show', 'dev', link]).out);
  return m ? Number(m[1]) : 1500;
}

/** podMTU is the MTU pods get: the node link's MTU, less the VXLAN overhead for the vxlan backend (flannel's FLANNEL_MTU). */
export function podMTU(run: Runner, nodeIP: string, backend: 'vxlan' | 'host-gw'): number {
  const mtu = linkMTU(run, linkOfAddress(run, nodeIP));
  return backend === 'vxlan' ? mtu - VXLAN_OVERHEAD : mtu;
}

/** ensureVxlanDevice creates (or re-creates when its settings differ) the VXLAN device and brings it up. */
export function ensureVxlanDevice(run: Runner, o: { nodeName: string; nodeIP: string; podCIDR: string }): void {
  const mac = vtepMAC(o.nodeName);
  const shown = run('ip', ['-d', 'link', 'show', 'dev', VXLAN_DEVICE]);
  if (shown.ok && !(shown.out.includes(`vxlan id ${VXLAN_VNI} `) && shown.out.includes(`local ${o.nodeIP} `) && shown.out.includes(mac))) {
    run('ip', ['link', 'del', VXLAN_DEVICE]);
  }
  if (!shown.ok || !run('ip', ['link', 'show', 'dev', VXLAN_DEVICE]).ok) {
    const underlay = linkOfAddress(run, o.nodeIP);
    must(run, 'ip', [
      'link', 'add', VXLAN_DEVICE, 'address', mac, 'mtu', String(linkMTU(run, underlay) - VXLAN_OVERHEAD),
      'type', 'vxlan', 'id', String(VXLAN_VNI), 'local', o.nodeIP, ...(underlay ? ['dev', underlay] : []),
      'dstport', String(VXLAN_PORT), 'nolearning',
    ]);
  }
  must(run, 'ip', ['addr', 'replace', `${networkAddress(o.podCIDR)}/32`, 'dev', VXLAN_DEVICE]);
  must(run, 'ip', ['link', 'set', VXLAN_DEVICE, 'up']);
}

/** deleteVxlanDevice removes the device and with it every route, neighbour and forwarding entry through it. */
export function deleteVxlanDevice(run: Runner): void {
  run('ip', ['link', 'del', VXLAN_DEVICE]);
}

/** addPeer installs what reaching one remote node's pods needs. */
export function addPeer(run: Runner, p: Peer): void {
  if (p.backend === 'host-gw') {
    must(run, 'ip', ['route', 'replace', p.podCIDR, 'via', p.publicIP]);
    return;
  }
  const vtep = networkAddress(p.podCIDR);
  must(run, 'ip', ['neigh', 'replace', vtep, 'lladdr', p.vtepMAC!, 'dev', VXLAN_DEVICE, 'nud', 'permanent']);
  must(run, 'bridge', ['fdb', 'replace', p.vtepMAC!, 'dev', VXLAN_DEVICE, 'dst', p.publicIP, 'self', 'permanent']);
  must(run, 'ip', ['route', 'replace', p.podCIDR, 'via', vtep, 'dev', VXLAN_DEVICE, 'onlink']);
}

/** removePeer deletes what addPeer installed (missing entries are fine). */
export function removePeer(run: Runner, p: Peer): void {
  if (p.backend === 'host-gw') {
    run('ip', ['route', 'del', p.podCIDR, 'via', p.publicIP]);
    return;
  }
  run('ip', ['route', 'del', p.podCIDR, 'dev', VXLAN_DEVICE]);
  run('ip', ['neigh', 'del', networkAddress(p.podCIDR), 'dev', VXLAN_DEVICE]);
  run('bridge', ['fdb', 'del', p.vtepMAC!, 'dev', VXLAN_DEVICE, 'self']);
}

/** staleVxlanRoutes lists the pod ranges routed through the VXLAN device that are not in `keep` (left by an earlier run). */
export function staleVxlanRoutes(run: Runner, keep: Set<string>): string[] {
  const out = run('ip', ['-4', 'route', 'show', 'dev', VXLAN_DEVICE]).out;
  return out.split('\n').map((l) => l.split(' ')[0]).filter((dst) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(dst) && !keep.has(dst));
}
