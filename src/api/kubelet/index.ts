// SPDX-License-Identifier: Apache-2.0
/**
 * The kubelet's HTTP API as its callers see it (upstream's k8s.io/kubelet
 * module): the stats summary, pod log options, and the identity the API
 * server presents. The kubelet serves it; the API server calls it.
 */
export type { CPUStats, MemoryStats, ContainerStatsSummary, PodStatsSummary, StatsSummary } from './stats.js';
export { LogOptionsError, parseLogOptions, logOptionsQuery, type LogOptions } from './log-options.js';

/** KUBELET_CLIENT_USER is the certificate CN the API server uses toward kubelets (upstream's kube-apiserver-kubelet-client). */
export const KUBELET_CLIENT_USER = 'kube-apiserver-kubelet-client';
