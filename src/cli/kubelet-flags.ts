// SPDX-License-Identifier: Apache-2.0
/**
 * The kubelet's housekeeping flags of `skiff server` and `skiff agent`, with
 * upstream kubelet's names and defaults (eviction, image and container GC,
 * log rotation). Plain data, so the server's CLI parses them without
 * loading the node agent; src/agent/kubelet-flags.ts validates and applies them.
 */
import type { FlagSpec } from './flags.js';

/** KUBELET_FLAGS are the flag specs, in parseCommandFlags' form. */
export const KUBELET_FLAGS: Record<string, FlagSpec> = {
  'eviction-hard': { type: 'string', default: 'memory.available<100Mi,nodefs.available<10%,imagefs.available<15%,nodefs.inodesFree<5%', usage: 'hard eviction thresholds, signal<quantity or signal<percentage% (memory.available, nodefs.available, nodefs.inodesFree, imagefs.available, imagefs.inodesFree, pid.available); replaces the defaults' },
  'eviction-soft': { type: 'string', default: '', usage: 'soft eviction thresholds, signal<quantity or signal<percentage%; each needs a grace period' },
  'eviction-soft-grace-period': { type: 'string', default: '', usage: 'how long each soft threshold must be met before a pod is evicted, signal=duration (e.g. memory.available=1m30s)' },
  'eviction-max-pod-grace-period': { type: 'number', default: 0, usage: 'longest termination grace period (seconds) a pod evicted for a soft threshold gets' },
  'kube-reserved': { type: 'string', default: '', usage: 'resources held back from pods for Kubernetes daemons, e.g. cpu=100m,memory=100Mi,ephemeral-storage=1Gi,pid=1000' },
  'system-reserved': { type: 'string', default: '', usage: 'resources held back from pods for the operating system, e.g. cpu=100m,memory=100Mi,ephemeral-storage=1Gi,pid=1000' },
  'eviction-pressure-transition-period': { type: 'string', default: '5m', usage: 'how long a pressure condition stays True after its threshold was last met' },
  'image-gc-high-threshold': { type: 'number', default: 85, usage: 'image filesystem usage percent that starts image garbage collection' },
  'image-gc-low-threshold': { type: 'number', default: 80, usage: 'image filesystem usage percent image garbage collection frees down to' },
  'image-minimum-gc-age': { type: 'string', default: '2m', usage: 'minimum age of an unused image before it is garbage collected' },
  'container-log-max-size': { type: 'string', default: '10Mi', usage: 'size at which a container log file is rotated' },
  'container-log-max-files': { type: 'number', default: 5, usage: 'container log files kept per container, the current one included' },
  'maximum-dead-containers-per-container': { type: 'number', default: 1, usage: 'dead instances kept per container' },
  'maximum-dead-containers': { type: 'number', default: -1, usage: 'dead containers kept on the node (-1: no limit)' },
  'minimum-container-ttl-duration': { type: 'string', default: '0s', usage: 'minimum age of a dead container before it is garbage collected' },
  'sync-frequency': { type: 'string', default: '10s', usage: 'max period between full syncs of every pod (ConfigMap and Secret changes reach pods through their watches at once)' },
  'kubelet-housekeeping-period': { type: 'string', default: '', hidden: true },
};

/** kubeletFlagValues picks the kubelet flags' values out of a command's flags. */
export function kubeletFlagValues(flags: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(KUBELET_FLAGS).map((k) => [k, flags[k]]));
}
