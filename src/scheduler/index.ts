// SPDX-License-Identifier: Apache-2.0
/**
 * The scheduler component: assigns pending pods to nodes (filter and score
 * plugins, preemption, binding) as upstream kube-scheduler's default
 * profile. Other components import only this module.
 */
import type { Client } from '../client/index.js';
import { asComponent, type Component } from '../machinery/index.js';
import { Scheduler, type SchedulerOptions } from './scheduler.js';

export { Scheduler, DEFAULT_SCHEDULER_NAME, type SchedulerOptions, type SchedulerStats } from './scheduler.js';
export { fitErrorMessage, NO_NODES_AVAILABLE, type Diagnosis } from './framework/fit-error.js';

/** scheduler returns the default scheduler as a server Component. */
export function scheduler(client: Client, opts: SchedulerOptions = {}): Component & { instance: Scheduler } {
  return asComponent('scheduler', new Scheduler(client, opts));
}
