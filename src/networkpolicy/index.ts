// SPDX-License-Identifier: Apache-2.0
/**
 * NetworkPolicy enforcement on a node with iptables. Other components import
 * only this module.
 */
export { networkPolicyEnforcer, NetworkPolicyEnforcer, type NetworkPolicyEnforcerOptions } from './networkpolicy-enforcer.js';
export { renderPolicyRules, toRestoreInput, DEFAULT_CHAIN_PREFIX, type RenderedRules } from './policy-rules.js';
export { removeRules } from './iptables.js';
