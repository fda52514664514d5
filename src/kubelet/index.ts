// SPDX-License-Identifier: Apache-2.0
/**
 * kubelet: the node agent core — node registration and lease, per-pod
 * workers that drive a CRI runtime (sandboxes, images, volumes, containers,
 * probes, restarts) and pod status. The CRI client and the containerd
 * supervisor live in ./cri and ./containerd; streaming in ./streaming.
 */
export { Kubelet } from './kubelet.js';
export type { KubeletOptions } from './kubelet.js';
export { DEFAULT_BACKOFF, Backoff } from './backoff.js';
export type { BackoffTimings } from './backoff.js';
export {
  POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL, CONTAINER_NAME_LABEL, RESTART_COUNT_ANNOTATION,
} from './cri-labels.js';
export { KUBELET_VERSION, defaultNodeName } from './node-status.js';
export { podLogDirName } from './sandbox-config.js';
export { containerdLayout, ContainerdSupervisor, dataDirTag } from './containerd/index.js';
export { CriClient } from './cri/index.js';
export { DEFAULT_KUBELET_PORT, KubeletServer } from './streaming/index.js';
export { CertificateManager, CertificateRequestDenied, loadCertificate, requestCertificate, rotationDeadline, storeCertificate, type StoredCertificate } from './certificate/index.js';
export { nodeLabels } from './node-status.js';
export { Housekeeping } from './housekeeping.js';
export type { HousekeepingConfig } from './housekeeping.js';
export { DEFAULT_EVICTION_HARD, parseThresholds, parseSoftThresholds, ThresholdParseError } from './eviction/index.js';
export { parseReservation, allocatableOf, hardEvictionReservation, type ResourceReservation } from './node-allocatable.js';
