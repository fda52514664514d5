// SPDX-License-Identifier: Apache-2.0
/** kubelet/logs: container log rotation (upstream pkg/kubelet/logs). */
export { ContainerLogManager, DEFAULT_CONTAINER_LOG_POLICY, rotationStamp } from './container-log-manager.js';
export type { ContainerLogPolicy, ContainerLogManagerOptions } from './container-log-manager.js';
