// SPDX-License-Identifier: Apache-2.0
/**
 * The ClusterRole aggregation controller (upstream
 * pkg/controller/clusterroleaggregation): a ClusterRole with an
 * aggregationRule has its `rules` replaced by the union of the rules of
 * every other ClusterRole its selectors match, in name order, without
 * duplicates. That is how admin, edit and view pick up rules that CRDs and
 * operators add through `aggregate-to-*` labels.
 */
import { deepClone, deepEqual, type KubeObject } from '../../api/index.js';
import type { Client } from '../../client/index.js';
import type { SharedInformer } from '../../client/index.js';
import type { Clock } from '../../client/index.js';
import { isNotFound } from '../../machinery/index.js';
import { fromLabelSelector, matchesLabels } from '../../machinery/index.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { Reconciler } from '../../client/index.js';
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';

const CLUSTER_ROLES = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles' };

/** AggregatedRole is the part of a ClusterRole aggregation reads and writes. */
export interface AggregatedRole extends KubeObject {
  aggregationRule?: { clusterRoleSelectors?: LabelSelector[] | null } | null;
  rules?: PolicyRule[] | null;
}

/** aggregatedRules computes the rules of an aggregated role from the roles it selects (undefined: not aggregated). */
export function aggregatedRules(role: AggregatedRole, all: readonly AggregatedRole[]): PolicyRule[] | undefined {
  const selectors = role.aggregationRule?.clusterRoleSelectors;
  if (!role.aggregationRule) return undefined;
  const rules: PolicyRule[] = [];
  const sorted = [...all].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
  for (const sel of selectors ?? []) {
    const parsed = fromLabelSelector(sel);
    for (const other of sorted) {
      if (other.metadata.name === role.metadata.name || !matchesLabels(parsed, other.metadata.labels)) continue;
      for (const r of other.rules ?? []) if (!rules.some((x) => deepEqual(x, r))) rules.push(r);
    }
  }
  return rules;
}

/** ClusterRoleAggregator keeps aggregated ClusterRoles' rules in step; keys are role names. */
export class ClusterRoleAggregator extends Reconciler {
  readonly #client: Client;
  readonly #roles: SharedInformer<AggregatedRole>;

  constructor(opts: { client: Client; roles: SharedInformer<AggregatedRole>; clock?: Clock; log?: (m: string) => void }) {
    super({ name: 'clusterrole-aggregation-controller', clock: opts.clock, log: opts.log });
    this.#client = opts.client;
    this.#roles = opts.roles;
    // Any role's change may change what any aggregated role selects: re-check them all (they are few).
    const all = (): void => {
      for (const r of this.#roles.list()) if (r.aggregationRule) this.enqueue(r.metadata.name!);
    };
    this.#roles.addEventHandler({ onAdd: all, onUpdate: all, onDelete: all });
  }

  /** settled tells whether every aggregated role in the cache already has its aggregated rules. */
  settled(): boolean {
    const all = this.#roles.list();
    return all.every((r) => {
      const rules = aggregatedRules(r, all);
      return !rules || deepEqual(rules, r.rules ?? []);
    });
  }

  async sync(name: string): Promise<void> {
    const role = this.#roles.get(name);
    if (!role) return;
    const rules = aggregatedRules(role, this.#roles.list());
    if (!rules || deepEqual(rules, role.rules ?? [])) return;
    const updated = deepClone(role);
    updated.rules = rules;
    try {
      await this.#client.update(CLUSTER_ROLES, updated);
    } catch (err) {
      // Deleted meanwhile: nothing to aggregate. A conflict throws and retries from the newer cache.
      if (!isNotFound(err)) throw err;
    }
  }
}
