// SPDX-License-Identifier: Apache-2.0
/** controllers/resourcequota: the quota controller and the usage evaluator the admission plugin shares. */
export { ResourceQuotaController, DEFAULT_QUOTA_RESYNC_MS, kindsFor, type ResourceQuotaControllerOptions } from './resourcequota-controller.js';
export { usageOf, podUsage, podResources, matchesScopes, podConstraints, prettyList, parseList, addInto, objectCountName, isTerminalPod, type ResourceList, type QuotaSpec, type QuotaKind } from './quota-evaluator.js';
