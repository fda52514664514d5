// SPDX-License-Identifier: Apache-2.0
/** CRI container messages: configs, filters, statuses and exec results (see cri-types.ts for the wire conventions). */
import type { ContainerState, ImageSpec, Int64, Int64Value, KeyValue, LinuxContainerResources, MountPropagation, NamespaceOption, StringMap } from './cri-value-types.js';


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

