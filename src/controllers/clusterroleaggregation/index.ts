// SPDX-License-Identifier: Apache-2.0
/** The ClusterRole aggregation controller (upstream's clusterrole-aggregation-controller). */
export { ClusterRoleAggregator, aggregatedRules, type AggregatedRole } from './cluster-role-aggregation.js';
