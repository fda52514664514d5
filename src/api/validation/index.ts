// SPDX-License-Identifier: Apache-2.0
/**
 * Generic validators shared by every kind's strategy and by components
 * that read resource amounts (scheduler, kubelet): names, labels, metadata,
 * selectors, quantities, ports and addresses, cron schedules.
 */
export * from './names.js';
export * from './network.js';
export * from './fields.js';
export * from './object-meta.js';
export * from './label-selector.js';
export * from './quantity.js';
export * from './cron.js';
