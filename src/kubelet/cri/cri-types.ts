// SPDX-License-Identifier: Apache-2.0
/**
 * TypeScript shapes of the CRI (runtime.v1) messages Skiff uses, as they
 * cross the wire through @grpc/proto-loader with `keepCase`, `longs: String`,
 * `enums: String` and `defaults: true` (see runtime.proto):
 * - field names stay snake_case, exactly as in the proto;
 * - int64/uint64 values arrive as decimal strings; requests may pass numbers;
 * - enums arrive as their names ('CONTAINER_RUNNING');
 * - unset scalar fields arrive as their zero value, unset message fields as null.
 * Request types mark everything optional (the server sees zero values); response
 * types list what the runtime always fills in.
 */

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

// ------------------------------------------------------------------ pod sandboxes

/** PodSandboxMetadata identifies the pod a sandbox belongs to. */
export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt?: number;
}

/** PortMapping is a hostPort of the pod (handled by the CNI portmap plugin). */
export interface PortMapping {
  protocol?: Protocol;
  container_port: number;
  host_port?: number;
  host_ip?: string;
}

/** LinuxSandboxSecurityContext is the pod-level Linux security context. */
export interface LinuxSandboxSecurityContext {
  namespace_options?: NamespaceOption;
  run_as_user?: Int64Value;
  run_as_group?: Int64Value;
  readonly_rootfs?: boolean;
  supplemental_groups?: Int64[];
  privileged?: boolean;
}

/** PodSandboxConfig describes the sandbox to create; CreateContainer needs the same object again. */
export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  log_directory?: string;
  dns_config?: { servers?: string[]; searches?: string[]; options?: string[] };
  port_mappings?: PortMapping[];
  labels?: StringMap;
  annotations?: StringMap;
  linux?: {
    cgroup_parent?: string;
    security_context?: LinuxSandboxSecurityContext;
    sysctls?: StringMap;
    overhead?: LinuxContainerResources;
    resources?: LinuxContainerResources;
  };
}

/** PodSandboxStatus is the observed state of a sandbox. */
export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata | null;
  state: PodSandboxState;
  created_at: string;
  network: { ip: string; additional_ips: { ip: string }[] } | null;
  linux: { namespaces: { options: NamespaceOption | null } | null } | null;
  labels: StringMap;
  annotations: StringMap;
  runtime_handler: string;
}

/** PodSandboxStatusResponse carries the status and, when verbose, runtime `info` JSON. */
export interface PodSandboxStatusResponse {
  status: PodSandboxStatus | null;
  info: StringMap;
  containers_statuses: ContainerStatus[];
  timestamp: string;
}

/** PodSandboxFilter narrows ListPodSandbox. */
export interface PodSandboxFilter {
  id?: string;
  state?: { state: PodSandboxState };
  label_selector?: StringMap;
}

/** PodSandbox is one entry of ListPodSandbox. */
export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata | null;
  state: PodSandboxState;
  created_at: string;
  labels: StringMap;
  annotations: StringMap;
  runtime_handler: string;
}

// ------------------------------------------------------------------ containers

/** Mount is a bind mount into a container. */
export interface Mount {
  container_path: string;
  host_path: string;
  readonly?: boolean;
  selinux_relabel?: boolean;
  propagation?: MountPropagation;
}

/** LinuxContainerSecurityContext is the container-level Linux security context. */
export interface LinuxContainerSecurityContext {
  capabilities?: { add_capabilities?: string[]; drop_capabilities?: string[] };
  privileged?: boolean;
  namespace_options?: NamespaceOption;
  run_as_user?: Int64Value;
  run_as_group?: Int64Value;
  run_as_username?: string;
  readonly_rootfs?: boolean;
  supplemental_groups?: Int64[];
  no_new_privs?: boolean;
  masked_paths?: string[];
  readonly_paths?: string[];
}

/** ContainerMetadata names a container within its sandbox; attempt counts restarts. */
export interface ContainerMetadata {
  name: string;
  attempt?: number;
}

/** ContainerConfig describes a container to create. `log_path` is relative to the sandbox log_directory. */
export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: ImageSpec;
  command?: string[];
  args?: string[];
  working_dir?: string;
  envs?: KeyValue[];
  mounts?: Mount[];
  devices?: { container_path: string; host_path: string; permissions: string }[];
  labels?: StringMap;
  annotations?: StringMap;
  log_path?: string;
  stdin?: boolean;
  stdin_once?: boolean;
  tty?: boolean;
  linux?: { resources?: LinuxContainerResources; security_context?: LinuxContainerSecurityContext };
  stop_signal?: string;
}

/** ContainerFilter narrows ListContainers. */
export interface ContainerFilter {
  id?: string;
  state?: { state: ContainerState };
  pod_sandbox_id?: string;
  label_selector?: StringMap;
}

/** Container is one entry of ListContainers. */
export interface Container {
  id: string;
  pod_sandbox_id: string;
  metadata: ContainerMetadata | null;
  image: ImageSpec | null;
  image_ref: string;
  state: ContainerState;
  created_at: string;
  labels: StringMap;
  annotations: StringMap;
  image_id: string;
}

/** ContainerStatus is the observed state of a container; times are Unix nanoseconds. */
export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadata | null;
  state: ContainerState;
  created_at: string;
  started_at: string;
  finished_at: string;
  exit_code: number;
  image: ImageSpec | null;
  image_ref: string;
  reason: string;
  message: string;
  labels: StringMap;
  annotations: StringMap;
  mounts: Mount[];
  log_path: string;
  resources: { linux: LinuxContainerResources | null } | null;
  image_id: string;
}

/** ContainerStatusResponse carries the status and, when verbose, runtime `info` JSON. */
export interface ContainerStatusResponse {
  status: ContainerStatus | null;
  info: StringMap;
}

/** ExecSyncResponse is the captured output of a finished ExecSync. */
export interface ExecSyncResponse {
  stdout: Buffer;
  stderr: Buffer;
  exit_code: number;
}

// ------------------------------------------------------------------ stats

/** CpuUsage: cumulative core-nanoseconds and the current rate (0 in a runtime's first sample). */
export interface CpuUsage {
  timestamp: string;
  usage_core_nano_seconds: UInt64Value | null;
  usage_nano_cores: UInt64Value | null;
}

/** MemoryUsage: working set is what the kubelet evicts and reports on. */
export interface MemoryUsage {
  timestamp: string;
  working_set_bytes: UInt64Value | null;
  available_bytes: UInt64Value | null;
  usage_bytes: UInt64Value | null;
  rss_bytes: UInt64Value | null;
  page_faults: UInt64Value | null;
  major_page_faults: UInt64Value | null;
}

/** FilesystemUsage is the usage of one filesystem (image fs or a writable layer). */
export interface FilesystemUsage {
  timestamp: string;
  fs_id: { mountpoint: string } | null;
  used_bytes: UInt64Value | null;
  inodes_used: UInt64Value | null;
}

/** ContainerStats are one sample of a container's resource usage. */
export interface ContainerStats {
  attributes: { id: string; metadata: ContainerMetadata | null; labels: StringMap; annotations: StringMap } | null;
  cpu: CpuUsage | null;
  memory: MemoryUsage | null;
  writable_layer: FilesystemUsage | null;
}

/** ContainerStatsFilter narrows ListContainerStats. */
export interface ContainerStatsFilter {
  id?: string;
  pod_sandbox_id?: string;
  label_selector?: StringMap;
}

/** PodSandboxStats are one sample of a pod's resource usage, with its containers. */
export interface PodSandboxStats {
  attributes: { id: string; metadata: PodSandboxMetadata | null; labels: StringMap; annotations: StringMap } | null;
  linux: {
    cpu: CpuUsage | null;
    memory: MemoryUsage | null;
    network: { timestamp: string; default_interface: NetworkInterfaceUsage | null; interfaces: NetworkInterfaceUsage[] } | null;
    process: { timestamp: string; process_count: UInt64Value | null } | null;
    containers: ContainerStats[];
  } | null;
}

/** NetworkInterfaceUsage counts bytes and errors on one pod interface. */
export interface NetworkInterfaceUsage {
  name: string;
  rx_bytes: UInt64Value | null;
  rx_errors: UInt64Value | null;
  tx_bytes: UInt64Value | null;
  tx_errors: UInt64Value | null;
}

// ------------------------------------------------------------------ images

/** Image is an image known to the runtime; `size` is a decimal string. */
export interface Image {
  id: string;
  repo_tags: string[];
  repo_digests: string[];
  size: string;
  uid: Int64Value | null;
  username: string;
  spec: ImageSpec | null;
  pinned: boolean;
}

/** AuthConfig holds registry credentials for PullImage (decoded from an imagePullSecret). */
export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  server_address?: string;
  identity_token?: string;
  registry_token?: string;
}

/** ImageFsInfoResponse reports the filesystems holding images and container layers. */
export interface ImageFsInfoResponse {
  image_filesystems: FilesystemUsage[];
  container_filesystems: FilesystemUsage[];
}
