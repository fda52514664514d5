// SPDX-License-Identifier: Apache-2.0
/**
 * What a simulated node looks like: the Node the simulator creates, and the
 * status it keeps on any simulated node (its own or adopted): the kubelet's
 * four pressure/ready conditions, nodeInfo, addresses, daemonEndpoints.
 */
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import { SIMULATED } from './annotations.js';
import { nodeIP, podCIDRFor } from './addresses.js';
import { rfc3339 } from '../machinery/index.js';

/** SimulatedNodeShape is the capacity and identity of created nodes. */
export interface SimulatedNodeShape {
  cpu: string;
  memory: string;
  pods: number;
  ephemeralStorage: string;
  labels: Record<string, string>;
  kubeletVersion: string;
}

/** KUBELET_VERSION is what simulated nodes report (kwok reports a fake kubelet of the served API version too). */
export const KUBELET_VERSION = 'v1.32.0-skiff-sim';

/** newSimulatedNode builds the i-th simulated node, named `name`. */
export function newSimulatedNode(name: string, i: number, shape: SimulatedNodeShape, now: Date): Node {
  const resources = { cpu: shape.cpu, memory: shape.memory, pods: String(shape.pods), 'ephemeral-storage': shape.ephemeralStorage };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [SIMULATED]: 'true', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'amd64',
        type: 'simulated',
        ...shape.labels,
      },
    },
    spec: { podCIDR: podCIDRFor(i), podCIDRs: [podCIDRFor(i)] },
    status: {
      capacity: resources,
      allocatable: resources,
      addresses: [
        { type: 'InternalIP', address: nodeIP(i) },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: nodeInfo(name, shape.kubeletVersion),
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      conditions: nodeConditions(now, undefined),
      phase: 'Running',
    },
  };
}

function nodeInfo(name: string, kubeletVersion: string): NodeStatus['nodeInfo'] {
  return {
    architecture: 'amd64',
    operatingSystem: 'linux',
    osImage: 'Skiff simulated node',
    kernelVersion: 'simulated',
    kubeletVersion,
    kubeProxyVersion: '',
    containerRuntimeVersion: 'simulated://1.0.0',
    machineID: name,
    systemUUID: name,
    bootID: name,
  };
}

const conditionTexts: [type: string, status: string, reason: string, message: string][] = [
  ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
];

/** nodeConditions is the healthy kubelet's conditions, keeping transition times of conditions whose status is unchanged. */
export function nodeConditions(now: Date, previous: readonly NodeCondition[] | undefined): NodeCondition[] {
  const ts = rfc3339(now);
  return conditionTexts.map(([type, status, reason, message]) => {
    const prev = previous?.find((c) => c.type === type);
    const since = prev && prev.status === status ? (prev.lastTransitionTime ?? ts) : ts;
    return { type, status, reason, message, lastHeartbeatTime: ts, lastTransitionTime: since };
  });
}

/** isHealthy reports whether a node's conditions already say what a healthy simulated kubelet would. */
export function isHealthy(node: Node): boolean {
  const conds = node.status?.conditions ?? [];
  return conditionTexts.every(([type, status]) => conds.some((c) => c.type === type && c.status === status));
}

/** adoptedNodeStatus completes the status of a node created through the API: what it set is kept, the rest filled in. */
export function adoptedNodeStatus(node: Node, i: number, now: Date): NodeStatus {
  const name = node.metadata?.name ?? '';
  const st = node.status ?? {};
  const capacity = st.capacity ?? { cpu: '4', memory: '8Gi', pods: '110' };
  return {
    ...st,
    capacity,
    allocatable: st.allocatable ?? capacity,
    addresses: st.addresses?.length ? st.addresses : [{ type: 'InternalIP', address: nodeIP(i) }, { type: 'Hostname', address: name }],
    nodeInfo: st.nodeInfo?.kubeletVersion ? st.nodeInfo : nodeInfo(name, KUBELET_VERSION),
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    conditions: nodeConditions(now, st.conditions),
    phase: 'Running',
  };
}
