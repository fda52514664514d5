// SPDX-License-Identifier: Apache-2.0
/**
 * kubelet/containerd: the node's private containerd — its configuration
 * (config.toml, CNI bridge network) and the supervisor that runs it.
 */
export { ContainerdSupervisor } from './containerd-supervisor.js';
export type { ContainerdSupervisorOptions } from './containerd-supervisor.js';
export {
  containerdLayout, renderContainerdConfig, renderCniConflist, defaultBridgeName, cniNetworkName, dataDirTag,
} from './containerd-config.js';
export type { ContainerdLayout, ContainerdConfigInput, CniNetworkInput } from './containerd-config.js';
