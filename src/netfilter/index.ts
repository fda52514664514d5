// SPDX-License-Identifier: Apache-2.0
/**
 * netfilter: applying iptables rules (save, atomic restore, single
 * commands), shared by the Service proxy and the NetworkPolicy enforcer.
 * A leaf library: it imports nothing from src/.
 */
export { Iptables, execRunner, parseSave, type Runner, type SavedTable } from './iptables.js';
