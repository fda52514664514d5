// SPDX-License-Identifier: Apache-2.0
/**
 * Quota evaluation (upstream's pkg/quota/v1/evaluator): what an object
 * charges against a ResourceQuota, which quota scopes it falls in, and which
 * resources feed a quota name. The quota controller recounts with it and
 * the ResourceQuota and LimitRanger admission plugins charge with it.
 */
export {
  usageOf, podUsage, podResources, matchesScopes, podConstraints, prettyList, parseList, addInto, objectCountName, isTerminalPod,
  type ResourceList, type QuotaSpec, type QuotaKind,
} from './quota-evaluator.js';
export { kindsFor, type QuotaResourceRef } from './quota-kinds.js';
