// SPDX-License-Identifier: Apache-2.0
/**
 * NodeInfo is the scheduler's per-node aggregate: the node, its pods and
 * running totals of what they request, so that a filter is O(1) per node
 * instead of a walk over the node's pods (upstream framework.NodeInfo).
 */
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import type { PodInfo } from './pod-info.js';
import { addResources, emptyResources, toResources, type Resources } from '../../api/index.js';

/** NodeInfo aggregates one node and the pods assigned (or assumed) to it. */
export class NodeInfo {
  node: Node;
  name: string;
  labels: Record<string, string> = {};
  taints: Taint[] = [];
  allocatable: Resources = emptyResources();
  allowedPodNumber = 0;
  /** images maps image names present on the node to their size in bytes. */
  images = new Map<string, number>();
  readonly pods = new Map<string, PodInfo>();
  readonly requested: Resources = emptyResources();
  readonly nonZeroRequested = { milliCPU: 0, memory: 0 };
  /** usedPorts is "protocol/port" → host IPs using it. */
  readonly usedPorts = new Map<string, string[]>();
  /** podsWithAffinity counts pods with any (anti-)affinity term; podsWithRequiredAntiAffinity lists those with required anti-affinity. */
  podsWithAffinity = 0;
  readonly podsWithRequiredAntiAffinity = new Set<PodInfo>();

  /** The constructor derives labels, taints and allocatable from the node, or takes them from `parsed` (a NodeInfo of the same node). */
  constructor(node: Node, parsed?: NodeInfo) {
    this.node = node;
    this.name = node.metadata?.name ?? '';
    if (!parsed) {
      this.setNode(node);
      return;
    }
    this.labels = parsed.labels;
    this.taints = parsed.taints;
    this.allocatable = parsed.allocatable;
    this.allowedPodNumber = parsed.allowedPodNumber;
    this.images = parsed.images;
  }

  /** setNode replaces the node object and recomputes what derives from it. */
  setNode(node: Node): void {
    this.node = node;
    this.labels = (node.metadata?.labels ?? {}) as Record<string, string>;
    this.taints = node.spec?.taints ?? [];
    const alloc = (node.status?.allocatable ?? node.status?.capacity ?? {}) as Record<string, unknown>;
    this.allocatable = toResources(alloc);
    this.allowedPodNumber = Number(alloc.pods ?? 0) || 0;
    this.images.clear();
    for (const img of node.status?.images ?? []) for (const n of img.names ?? []) this.images.set(n, img.sizeBytes ?? 0);
  }

  /** addPod counts a pod against this node. */
  addPod(pi: PodInfo): void {
    if (this.pods.has(pi.key)) this.removePod(this.pods.get(pi.key)!);
    this.pods.set(pi.key, pi);
    this.#account(pi, 1);
  }

  /** removePod stops counting a pod against this node; false when it was not there. */
  removePod(pi: PodInfo): boolean {
    const cur = this.pods.get(pi.key);
    if (!cur) return false;
    this.pods.delete(pi.key);
    this.#account(cur, -1);
    return true;
  }

  #account(pi: PodInfo, sign: 1 | -1): void {
    addResources(this.requested, pi.requests, sign);
    this.nonZeroRequested.milliCPU += sign * pi.nonZero.milliCPU;
    this.nonZeroRequested.memory += sign * pi.nonZero.memory;
    for (const hp of pi.hostPorts) {
      const k = `${hp.protocol}/${hp.port}`;
      const ips = this.usedPorts.get(k) ?? [];
      if (sign > 0) ips.push(hp.ip);
      else ips.splice(ips.indexOf(hp.ip), 1);
      if (ips.length) this.usedPorts.set(k, ips);
      else this.usedPorts.delete(k);
    }
    const hasAffinity = pi.requiredAffinity.length + pi.requiredAntiAffinity.length + pi.preferredAffinity.length + pi.preferredAntiAffinity.length > 0;
    if (hasAffinity) this.podsWithAffinity += sign;
    if (pi.requiredAntiAffinity.length) {
      if (sign > 0) this.podsWithRequiredAntiAffinity.add(pi);
      else this.podsWithRequiredAntiAffinity.delete(pi);
    }
  }

  /** clone copies the aggregates (the node and pod objects are shared, read-only), for preemption dry runs. */
  clone(): NodeInfo {
    const c = new NodeInfo(this.node, this);
    for (const pi of this.pods.values()) c.addPod(pi);
    return c;
  }
}
