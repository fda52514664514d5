// SPDX-License-Identifier: Apache-2.0
/**
 * kubelet/streaming: the node's HTTPS server for the API server — container
 * logs from CRI log files, exec/attach/port-forward bridged to the runtime's
 * streaming URLs, and usage stats.
 *
 * Exec and attach reach the runtime over SPDY/3.1 (remotecommand v4), not
 * its WebSocket endpoint: containerd 1.6's WebSocket stops at v4, which
 * cannot say "stdin closed", while a SPDY stream half-closes, so
 * `kubectl cp` uploads and `kubectl exec -i … cat` end. Port-forward still
 * uses the runtime's WebSocket endpoint, which needs no half-close.
 */
export { KubeletServer, KUBELET_CLIENT_USER, DEFAULT_KUBELET_PORT, type KubeletServerOptions } from './kubelet-server.js';
export { PodLocator, LocateError, POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL, CONTAINER_NAME_LABEL } from './pod-locator.js';
export { readContainerLog, tailOffset, type LogSink, type FollowControl } from './container-log-reader.js';
export { parseCriLogLine, renderLogLine, type CriLogLine } from './cri-log.js';
export { parseLogOptions, logOptionsQuery, LogOptionsError, type LogOptions } from '../../api/index.js';
export { StatsProvider, type StatsSummary, type PodStatsSummary, type ContainerStatsSummary, type CPUStats, type MemoryStats } from './stats-summary.js';
export { selfSignedServingCert, type ServingCert } from './serving-cert.js';
export { EXEC_PROTOCOLS, Channel, bridgeExec, type ExecStreams } from './exec-bridge.js';
export { dialRuntimeSpdy, RuntimeDialError, RUNTIME_STREAM_PROTOCOL, type SpdyConnection } from './runtime-stream-dial.js';
export { SPDY_PORT_FORWARD_PROTOCOL, serveSpdyPortForward } from './port-forward-bridge.js';
