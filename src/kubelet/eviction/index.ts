// SPDX-License-Identifier: Apache-2.0
/** kubelet/eviction: node-pressure eviction (upstream pkg/kubelet/eviction). */
export { EvictionManager, DEFAULT_PRESSURE_TRANSITION_MS, evictionMessage, evictionGracePeriodSeconds } from './eviction-manager.js';
export type { EvictionManagerOptions, NodeReclaimer, AdmitResult } from './eviction-manager.js';
export { NodeSignalSource, diskUsage } from './signal-source.js';
export type { SignalSource, PodUsage, ContainerUsage, NodeSignalSourceOptions } from './signal-source.js';
export { DEFAULT_EVICTION_HARD, SIGNALS, ThresholdParseError, parseThresholds, parseSoftThresholds, parseGracePeriods, thresholdsMet, thresholdValue, conditionOf, isSoft } from './thresholds.js';
export type { Signal, Threshold, Observation, Observations, PressureCondition } from './thresholds.js';
export { rankForEviction, isCriticalPod } from './ranking.js';
