// SPDX-License-Identifier: Apache-2.0
/**
 * The annotations that drive the simulator. They are Skiff's own (the
 * `skiff.dev/` prefix), not upstream's; kwok uses `kwok.x-k8s.io/node`.
 */

/** SIMULATED marks a Node the simulator runs ("true"). */
export const SIMULATED = 'skiff.dev/simulated';
/** SIMULATED_STOPPED on a Node ("true") makes the simulator stop heartbeating it, as if its kubelet died. */
export const SIMULATED_STOPPED = 'skiff.dev/simulated-stopped';
/** SIMULATED_EXIT_AFTER on a Pod (a duration such as "5s") makes its containers exit after that long, for Job tests. */
export const SIMULATED_EXIT_AFTER = 'skiff.dev/simulated-exit-after';
/** SIMULATED_EXIT_CODE on a Pod is the exit code used with SIMULATED_EXIT_AFTER (default 0: Succeeded). */
export const SIMULATED_EXIT_CODE = 'skiff.dev/simulated-exit-code';
/** SIMULATED_CPU on a Pod is its reported cpu usage (a quantity such as "250m"). */
export const SIMULATED_CPU = 'skiff.dev/simulated-cpu';
/** SIMULATED_MEMORY on a Pod is its reported memory usage (a quantity such as "64Mi"). */
export const SIMULATED_MEMORY = 'skiff.dev/simulated-memory';

/** isSimulated reports whether an object carries SIMULATED="true". */
export function isSimulated(obj: { metadata?: { annotations?: Record<string, string> } }): boolean {
  return obj.metadata?.annotations?.[SIMULATED] === 'true';
}

/** isStopped reports whether a simulated node was told to stop heartbeating. */
export function isStopped(obj: { metadata?: { annotations?: Record<string, string> } }): boolean {
  return obj.metadata?.annotations?.[SIMULATED_STOPPED] === 'true';
}
