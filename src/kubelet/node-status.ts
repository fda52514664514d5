// SPDX-License-Identifier: Apache-2.0
/**
 * The Node object a kubelet registers and keeps current, as upstream
 * pkg/kubelet/nodestatus does: capacity (cpu, memory from /proc/meminfo,
 * pods 110, ephemeral-storage from statfs of the data dir), allocatable
 * (node-allocatable.ts: minus the reservations and the hard eviction
 * thresholds), addresses, nodeInfo, daemonEndpoints, images and
 * the MemoryPressure/DiskPressure/PIDPressure/Ready conditions with heartbeats.
 */
import { cpus, hostname, release } from 'node:os';
import { readFileSync, statfsSync } from 'node:fs';
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import type { Image, VersionResponse } from './cri/cri-types.js';
import type { NodeAllocatable } from './downward-api.js';

/** KUBELET_VERSION is what Skiff's kubelet reports as nodeInfo.kubeletVersion. */
export const KUBELET_VERSION = 'v1.32.0-skiff';
/** MAX_PODS is upstream's default --max-pods. */
export const MAX_PODS = 110;
const MAX_IMAGES_IN_STATUS = 50;

/** MachineInfo is what the node reports about the machine. */
export interface MachineInfo {
  cpus: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
}

function readOr(path: string, fallback = ''): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}

/** machineInfo reads the machine's facts; dataDir's filesystem is the node's ephemeral storage. */
export function machineInfo(dataDir: string): MachineInfo {
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(readOr('/proc/meminfo'))?.[1] ?? 0);
  const fs = statfsSync(dataDir);
  const osRelease = readOr('/etc/os-release');
  return {
    cpus: cpus().length,
    memoryBytes: memKb * 1024,
    ephemeralStorageBytes: Number(fs.blocks) * Number(fs.bsize),
    machineID: readOr('/etc/machine-id'),
    systemUUID: readOr('/sys/class/dmi/id/product_uuid').toLowerCase(),
    bootID: readOr('/proc/sys/kernel/random/boot_id'),
    kernelVersion: release(),
    osImage: /^PRETTY_NAME="?([^"\n]*)"?/m.exec(osRelease)?.[1] ?? 'Linux',
  };
}

/** defaultNodeName is the lower-cased host name, as upstream's hostname override default. */
export function defaultNodeName(): string {
  return hostname().toLowerCase();
}

/** nodeLabels are the well-known labels a kubelet sets on its node. */
export function nodeLabels(nodeName: string): Record<string, string> {
  return {
    'kubernetes.io/hostname': nodeName,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': 'amd64',
  };
}

/** NodeStatusInput is everything the status depends on besides the machine. */
export interface NodeStatusInput {
  machine: MachineInfo;
  /** allocatable is what pods may use (node-allocatable.ts). */
  allocatable: NodeAllocatable;
  hostIP: string;
  version: VersionResponse | undefined;
  runtimeReady: boolean;
  runtimeProblem: string;
  images: Image[];
  kubeletPort: number;
  now: string;
  /** pressure lists the pressure conditions the eviction manager reports True. */
  pressure?: Set<string>;
}

function conditions(input: NodeStatusInput, old: NodeCondition[]): NodeCondition[] {
  const make = (type: string, status: 'True' | 'False', reason: string, message: string): NodeCondition => {
    const prev = old.find((c) => c.type === type);
    const transition = prev && prev.status === status ? prev.lastTransitionTime : input.now;
    return { type, status, reason, message, lastHeartbeatTime: input.now, lastTransitionTime: transition };
  };
  const ready = input.runtimeReady
    ? make('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
    : make('Ready', 'False', 'KubeletNotReady', `container runtime is down: ${input.runtimeProblem}`);
  // Upstream nodestatus MemoryPressureCondition/DiskPressureCondition/PIDPressureCondition texts.
  const p = input.pressure ?? new Set<string>();
  return [
    p.has('MemoryPressure')
      ? make('MemoryPressure', 'True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available')
      : make('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    p.has('DiskPressure')
      ? make('DiskPressure', 'True', 'KubeletHasDiskPressure', 'kubelet has disk pressure')
      : make('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    p.has('PIDPressure')
      ? make('PIDPressure', 'True', 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available')
      : make('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    ready,
  ];
}

/** nodeStatus computes the status to report; old conditions keep their transition times. */
export function nodeStatus(input: NodeStatusInput, old: NodeStatus | undefined): NodeStatus {
  const m = input.machine;
  const alloc = input.allocatable;
  // CPU as upstream's Quantity prints it: whole cores plain, otherwise millicores.
  const cpu = alloc.cpuMilli % 1000 === 0 ? String(alloc.cpuMilli / 1000) : `${alloc.cpuMilli}m`;
  const runtime = input.version ? `${input.version.runtime_name}://${input.version.runtime_version}` : '';
  return {
    capacity: { cpu: String(m.cpus), memory: `${Math.floor(m.memoryBytes / 1024)}Ki`, pods: String(MAX_PODS), 'ephemeral-storage': `${Math.floor(m.ephemeralStorageBytes / 1024)}Ki` },
    allocatable: { cpu, memory: `${Math.floor(alloc.memoryBytes / 1024)}Ki`, pods: String(MAX_PODS), 'ephemeral-storage': String(alloc.ephemeralStorageBytes) },
    conditions: conditions(input, old?.conditions ?? []),
    addresses: [{ type: 'InternalIP', address: input.hostIP }, { type: 'Hostname', address: hostname().toLowerCase() }],
    daemonEndpoints: { kubeletEndpoint: { Port: input.kubeletPort } },
    nodeInfo: {
      machineID: m.machineID, systemUUID: m.systemUUID, bootID: m.bootID, kernelVersion: m.kernelVersion, osImage: m.osImage,
      containerRuntimeVersion: runtime, kubeletVersion: KUBELET_VERSION, kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux', architecture: 'amd64',
    },
    images: [...input.images]
      .sort((a, b) => Number(b.size) - Number(a.size))
      .slice(0, MAX_IMAGES_IN_STATUS)
      .map((i) => ({ names: [...i.repo_digests, ...i.repo_tags], sizeBytes: Number(i.size) })),
  };
}

/** newNode is the object a kubelet registers. */
export function newNode(name: string, podCIDR: string | undefined, status: NodeStatus): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: nodeLabels(name), annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } },
    spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
    status,
  };
}
