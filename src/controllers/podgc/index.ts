// SPDX-License-Identifier: Apache-2.0
/** podgc: the pod garbage collector (orphaned, unscheduled-terminating and excess terminated pods). */
export { PodGCController, DEFAULT_QUARANTINE_MS, DEFAULT_TERMINATED_POD_THRESHOLD, type PodGCControllerOptions } from './podgc-controller.js';
