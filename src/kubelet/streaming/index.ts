// SPDX-License-Identifier: Apache-2.0
/**
 * kubelet/streaming: the node's HTTPS server for the API server — container
 * logs from CRI log files, exec/attach/port-forward bridged to the runtime's
 * streaming URLs, and usage stats.
 *
 * Known limit: containerd 1.6 serves exec/attach only up to
 * `v4.channel.k8s.io` over WebSocket, which cannot say "stdin closed"; a
 * client's v5 close of stdin is dropped, so `kubectl exec -i POD -- cat`
 * waits for more input. Commands that stop reading on their own (`read`,
 * `tar x`, `head -c`) work.
 */
export { KubeletServer, KUBELET_CLIENT_USER, DEFAULT_KUBELET_PORT, type KubeletServerOptions } from './kubelet-server.js';
export { PodLocator, LocateError, POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL, CONTAINER_NAME_LABEL } from './pod-locator.js';
export { readContainerLog, tailOffset, type LogSink, type FollowControl } from './container-log-reader.js';
export { parseCriLogLine, renderLogLine, type CriLogLine } from './cri-log.js';
export { parseLogOptions, logOptionsQuery, LogOptionsError, type LogOptions } from './log-options.js';
export { StatsProvider, type StatsSummary, type PodStatsSummary, type ContainerStatsSummary, type CPUStats, type MemoryStats } from './stats-summary.js';
export { selfSignedServingCert, type ServingCert } from './serving-cert.js';
export { EXEC_PROTOCOLS, bridgeExec } from './exec-bridge.js';
export { SPDY_PORT_FORWARD_PROTOCOL, serveSpdyPortForward } from './port-forward-bridge.js';
