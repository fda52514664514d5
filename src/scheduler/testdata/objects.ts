// SPDX-License-Identifier: Apache-2.0
/** Builders of Nodes and Pods for the scheduler's unit tests (not used at run time). */
import type { Container, Node, Pod, PodSpec, Taint } from 'kubernetes-types/core/v1.js';

/** NodeOpts describes a test node. */
export interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: number;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  extra?: Record<string, string>;
}

/** makeNode builds a Ready node with the given allocatable. */
export function makeNode(name: string, o: NodeOpts = {}): Node {
  const alloc = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: String(o.pods ?? 110), ...(o.extra ?? {}) };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { capacity: alloc, allocatable: alloc, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

/** PodOpts describes a test pod. */
export interface PodOpts {
  cpu?: string;
  memory?: string;
  namespace?: string;
  nodeName?: string;
  labels?: Record<string, string>;
  spec?: Partial<PodSpec>;
  containers?: Container[];
}

/** makePod builds a pod with one container requesting cpu/memory. */
export function makePod(name: string, o: PodOpts = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.namespace ?? 'default', labels: o.labels, uid: `uid-${name}` },
    spec: {
      containers: o.containers ?? [{ name: 'c', image: 'busybox', resources: { requests } }],
      nodeName: o.nodeName,
      ...(o.spec ?? {}),
    },
    status: { phase: 'Pending' },
  };
}
