// SPDX-License-Identifier: Apache-2.0
/** CRI stats and image messages (see cri-types.ts for the wire conventions). */
import type { ContainerMetadata } from './cri-container-types.js';
import type { PodSandboxMetadata } from './cri-sandbox-types.js';
import type { ImageSpec, Int64Value, StringMap, UInt64Value } from './cri-value-types.js';


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
