// SPDX-License-Identifier: Apache-2.0
/**
 * The kubelet's housekeeping flag values (specs in src/cli/kubelet-flags.ts,
 * shared by `skiff server` and `skiff agent`) turned into the kubelet's
 * config, with upstream's names, defaults and validation: --eviction-hard,
 * --eviction-soft, --eviction-soft-grace-period, --eviction-max-pod-grace-period,
 * --kube-reserved, --system-reserved, --eviction-pressure-transition-period, --image-gc-high-threshold,
 * --image-gc-low-threshold, --image-minimum-gc-age,
 * --container-log-max-size, --container-log-max-files,
 * --maximum-dead-containers-per-container, --maximum-dead-containers and
 * --minimum-container-ttl-duration, and --sync-frequency. --kubelet-housekeeping-period is a
 * Skiff test knob that shortens every collector's period.
 */
import { parseQuantity } from '../api/index.js';
import { parseDurationMs } from '../machinery/index.js';
import { DEFAULT_EVICTION_HARD, parseReservation, parseSoftThresholds, parseThresholds, type HousekeepingConfig } from '../kubelet/index.js';

/** KubeletFlagValues are the parsed values of the kubelet flags, by flag name. */
export type KubeletFlagValues = Record<string, unknown>;

function duration(flags: KubeletFlagValues, name: string, fallback: string): number {
  const v = String(flags[name] ?? fallback);
  const ms = v === '0' ? 0 : parseDurationMs(v);
  if (ms === undefined || Number.isNaN(ms)) throw new Error(`invalid argument "${v}" for "--${name}" flag: time: invalid duration "${v}"`);
  return ms;
}

/** housekeepingFromFlags turns flag values into the kubelet's housekeeping config; it throws on a bad value. */
export function housekeepingFromFlags(flags: KubeletFlagValues): HousekeepingConfig {
  const high = Number(flags['image-gc-high-threshold'] ?? 85);
  const low = Number(flags['image-gc-low-threshold'] ?? 80);
  // Upstream's kubelet config validation.
  if (high < 0 || high > 100) throw new Error(`invalid configuration: imageGCHighThresholdPercent (--image-gc-high-threshold) ${high} must be between 0 and 100, inclusive`);
  if (low < 0 || low > 100) throw new Error(`invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) ${low} must be between 0 and 100, inclusive`);
  if (low > high) throw new Error(`invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) ${low} must be less than imageGCHighThresholdPercent (--image-gc-high-threshold) ${high}`);
  const maxFiles = Number(flags['container-log-max-files'] ?? 5);
  if (maxFiles < 2) throw new Error(`invalid configuration: containerLogMaxFiles (--container-log-max-files) ${maxFiles} must be greater than 1`);
  const maxPodGrace = Number(flags['eviction-max-pod-grace-period'] ?? 0);
  if (!Number.isInteger(maxPodGrace)) throw new Error(`invalid argument "${String(flags['eviction-max-pod-grace-period'])}" for "--eviction-max-pod-grace-period" flag: not an integer`);
  const syncFrequencyMs = duration(flags, 'sync-frequency', '10s');
  // Upstream's NewMainKubelet refuses a sync frequency that is not positive.
  if (syncFrequencyMs <= 0) throw new Error(`invalid sync frequency ${String(flags['sync-frequency'])}`);
  const period = flags['kubelet-housekeeping-period'] ? parseDurationMs(String(flags['kubelet-housekeeping-period'])) : undefined;
  return {
    evictionHard: parseThresholds(String(flags['eviction-hard'] ?? DEFAULT_EVICTION_HARD)),
    evictionSoft: parseSoftThresholds(String(flags['eviction-soft'] ?? ''), String(flags['eviction-soft-grace-period'] ?? '')),
    evictionMaxPodGracePeriodSeconds: maxPodGrace,
    syncFrequencyMs,
    kubeReserved: parseReservation(String(flags['kube-reserved'] ?? ''), 'kube-reserved'),
    systemReserved: parseReservation(String(flags['system-reserved'] ?? ''), 'system-reserved'),
    evictionPressureTransitionMs: duration(flags, 'eviction-pressure-transition-period', '5m'),
    imageGC: { highThresholdPercent: high, lowThresholdPercent: low, minAgeMs: duration(flags, 'image-minimum-gc-age', '2m') },
    containerLog: { maxSizeBytes: parseQuantity(String(flags['container-log-max-size'] ?? '10Mi')).value(), maxFiles },
    containerGC: {
      minAgeMs: duration(flags, 'minimum-container-ttl-duration', '0s'),
      maxPerPodContainer: Number(flags['maximum-dead-containers-per-container'] ?? 1),
      maxContainers: Number(flags['maximum-dead-containers'] ?? -1),
    },
    ...(period ? { orphanIntervalMs: Math.min(2000, period), evictionIntervalMs: period, logRotationIntervalMs: period, containerGCIntervalMs: period, imageGCIntervalMs: period } : {}),
  };
}
