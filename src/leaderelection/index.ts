// SPDX-License-Identifier: Apache-2.0
/**
 * Leader election on coordination.k8s.io Leases (client-go's
 * tools/leaderelection): the elector, and the wrapper that runs a component
 * only while this server holds its lease.
 */
export {
  DEFAULT_LEASE_DURATION_MS,
  DEFAULT_RENEW_DEADLINE_MS,
  DEFAULT_RETRY_PERIOD_MS,
  LeaderElector,
  type LeaderElectionTiming,
  type LeaderElectorOptions,
} from './leader-elector.js';
export { LEADER_ELECTION_NAMESPACE, leaderElected, type LeaderElectedComponent, type LeaderElectedOptions } from './leader-elected.js';
