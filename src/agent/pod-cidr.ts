// SPDX-License-Identifier: Apache-2.0
/**
 * nodePodCIDR decides this node's pod range before containerd starts (its
 * CNI bridge network needs it): the Node's spec.podCIDR when the control
 * plane set one, else the first /24 of the cluster CIDR no other Node holds,
 * which the kubelet records on registration. Upstream leaves allocation to
 * the node IPAM controller; until Skiff has one, the agent allocates.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import { isNotFound } from '../machinery/index.js';

function toInt(ip: string): number {
  return ip.split('.').reduce((a, o) => ((a << 8) >>> 0) + Number(o), 0) >>> 0;
}

function toIP(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** subnets24 lists the /24 ranges of an IPv4 CIDR with a prefix of 24 or shorter. */
export function subnets24(cidr: string): string[] {
  const [addr, bits] = cidr.split('/');
  const prefix = Number(bits);
  if (!(prefix >= 8 && prefix <= 24)) throw new Error(`cluster CIDR ${cidr} must have a prefix between /8 and /24`);
  const base = toInt(addr) & (prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0);
  const count = 2 ** (24 - prefix);
  return Array.from({ length: Math.min(count, 65536) }, (_, i) => `${toIP((base + i * 256) >>> 0)}/24`);
}

/** nodePodCIDR returns the node's existing podCIDR or a free /24 of clusterCIDR. */
export async function nodePodCIDR(client: Client, nodeName: string, clusterCIDR: string): Promise<string> {
  try {
    const node = await client.get<KubeObject & Node>(R.nodes, nodeName);
    if (node.spec?.podCIDR) return node.spec.podCIDR;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const nodes = (await client.list<KubeObject & Node>(R.nodes)).items;
  const used = new Set(nodes.flatMap((n) => n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])));
  const free = subnets24(clusterCIDR).find((s) => !used.has(s));
  if (!free) throw new Error(`no free /24 left in cluster CIDR ${clusterCIDR}`);
  return free;
}
