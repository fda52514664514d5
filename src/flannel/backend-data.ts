// SPDX-License-Identifier: Apache-2.0
/**
 * What a node tells the others about its end of the pod network, in the
 * Node annotations flannel's kube subnet manager uses
 * (flannel pkg/subnet/kube: backend-type, backend-data, public-ip), so a
 * peer is derived from the Node object alone: its InternalIP, its
 * spec.podCIDR and, for VXLAN, the MAC address of its VTEP.
 */
import { createHash } from 'node:crypto';
import type { Node } from 'kubernetes-types/core/v1.js';

export const BACKEND_TYPE_ANNOTATION = 'flannel.alpha.coreos.com/backend-type';
export const BACKEND_DATA_ANNOTATION = 'flannel.alpha.coreos.com/backend-data';
export const PUBLIC_IP_ANNOTATION = 'flannel.alpha.coreos.com/public-ip';
export const SUBNET_MANAGER_ANNOTATION = 'flannel.alpha.coreos.com/kube-subnet-manager';

/** Backend is how pod packets cross between nodes. */
export type Backend = 'vxlan' | 'host-gw';
export const BACKENDS: readonly Backend[] = ['vxlan', 'host-gw'];

/** VXLAN_VNI and VXLAN_PORT are flannel's defaults (VNI 1, the Linux kernel's IANA-predating port 8472). */
export const VXLAN_VNI = 1;
export const VXLAN_PORT = 8472;
/** VXLAN_OVERHEAD is what VXLAN encapsulation adds (outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14), flannel's MTU reduction. */
export const VXLAN_OVERHEAD = 50;

/** Peer is a remote node's end of the pod network. */
export interface Peer {
  name: string;
  backend: Backend;
  publicIP: string;
  podCIDR: string;
  /** vtepMAC is the MAC of the peer's VXLAN device (vxlan backend only). */
  vtepMAC?: string;
}

/**
 * vtepMAC derives a stable, locally administered unicast MAC for a node's
 * VXLAN device from its name, so the address in the annotation stays valid
 * across agent restarts (newer flannel keeps its VTEP MAC stable for the
 * same reason: peers need not relearn it).
 */
export function vtepMAC(nodeName: string): string {
  const h = createHash('sha256').update(`skiff-vtep/${nodeName}`).digest();
  h[0] = (h[0] & 0xfe) | 0x02;
  return [...h.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** ownAnnotations are the annotations a node publishes about itself. */
export function ownAnnotations(backend: Backend, publicIP: string, nodeName: string): Record<string, string> {
  const data = backend === 'vxlan' ? { VNI: VXLAN_VNI, VtepMAC: vtepMAC(nodeName) } : null;
  return {
    [BACKEND_TYPE_ANNOTATION]: backend,
    [BACKEND_DATA_ANNOTATION]: JSON.stringify(data),
    [PUBLIC_IP_ANNOTATION]: publicIP,
    [SUBNET_MANAGER_ANNOTATION]: 'true',
  };
}

/** peerOf reads a node's end of the pod network, or undefined while it has not published one (or is not a real node). */
export function peerOf(node: Node): Peer | undefined {
  const a = node.metadata?.annotations ?? {};
  const backend = a[BACKEND_TYPE_ANNOTATION] as Backend | undefined;
  const publicIP = a[PUBLIC_IP_ANNOTATION];
  const podCIDR = node.spec?.podCIDR;
  if (!node.metadata?.name || !backend || !BACKENDS.includes(backend) || !publicIP || !podCIDR) return undefined;
  const peer: Peer = { name: node.metadata.name, backend, publicIP, podCIDR };
  if (backend === 'vxlan') {
    try {
      const data = JSON.parse(a[BACKEND_DATA_ANNOTATION] ?? 'null') as { VtepMAC?: string } | null;
      if (!data?.VtepMAC) return undefined;
      peer.vtepMAC = data.VtepMAC;
    } catch {
      return undefined;
    }
  }
  return peer;
}
