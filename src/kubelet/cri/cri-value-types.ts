// SPDX-License-Identifier: Apache-2.0
/** CRI scalar, enum and shared value types, the runtime's version and status (see cri-types.ts for the wire conventions). */

/** Int64 is a 64-bit integer: a decimal string on output, a number or string on input. */
export type Int64 = string | number;

/** StringMap is a proto `map<string, string>`. */
export type StringMap = Record<string, string>;

/** NamespaceMode says whose namespace a pod or container joins (POD, CONTAINER, NODE, TARGET). */
export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
/** Protocol of a port mapping. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';
/** PodSandboxState is the CRI sandbox state. */
export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
/** ContainerState is the CRI container state. */
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';
/** MountPropagation of a bind mount. */
export type MountPropagation = 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';

// ------------------------------------------------------------------ runtime info

/** VersionResponse names the runtime and the CRI version it speaks. */
export interface VersionResponse {
  version: string;
  runtime_name: string;
  runtime_version: string;
  runtime_api_version: string;
}

/** RuntimeCondition is one runtime condition; RuntimeReady and NetworkReady are required upstream. */
export interface RuntimeCondition {
  type: string;
  status: boolean;
  reason: string;
  message: string;
}

/** StatusResponse is the runtime's health; `info` holds verbose JSON documents. */
export interface StatusResponse {
  status: { conditions: RuntimeCondition[] } | null;
  info: StringMap;
}

// ------------------------------------------------------------------ shared value types

/** Int64Value wraps an optional int64 (e.g. run_as_user). */
export interface Int64Value {
  value: Int64;
}

/** UInt64Value wraps an optional uint64 statistic; arrives as a decimal string. */
export interface UInt64Value {
  value: string;
}

/** KeyValue is one environment variable. */
export interface KeyValue {
  key: string;
  value: string;
}

/** ImageSpec names an image by reference or ID. */
export interface ImageSpec {
  image: string;
  annotations?: StringMap;
  user_specified_image?: string;
  runtime_handler?: string;
  image_ref?: string;
}

/** NamespaceOption selects the network, PID and IPC namespaces. */
export interface NamespaceOption {
  network?: NamespaceMode;
  pid?: NamespaceMode;
  ipc?: NamespaceMode;
  target_id?: string;
}

/** LinuxContainerResources are cgroup limits of a container (or a pod's overhead). */
export interface LinuxContainerResources {
  cpu_period?: Int64;
  cpu_quota?: Int64;
  cpu_shares?: Int64;
  memory_limit_in_bytes?: Int64;
  oom_score_adj?: Int64;
  cpuset_cpus?: string;
  cpuset_mems?: string;
  hugepage_limits?: { page_size: string; limit: Int64 }[];
  unified?: StringMap;
  memory_swap_limit_in_bytes?: Int64;
}

