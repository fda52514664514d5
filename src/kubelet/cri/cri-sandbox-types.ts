// SPDX-License-Identifier: Apache-2.0
/** CRI pod sandbox messages: configs, filters and statuses (see cri-types.ts for the wire conventions). */
import type { ContainerStatus } from './cri-container-types.js';
import type { Int64, Int64Value, LinuxContainerResources, NamespaceOption, PodSandboxState, Protocol, StringMap } from './cri-value-types.js';


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

