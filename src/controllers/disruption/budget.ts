// SPDX-License-Identifier: Apache-2.0
/**
 * PodDisruptionBudget arithmetic, as upstream's disruption controller:
 * minAvailable / maxUnavailable as an integer or a percentage of the
 * expected pod count (percentages round up, intstr.GetScaledValueFromIntOrPercent),
 * and the status that follows from the healthy count.
 */
import type { PodDisruptionBudget, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { rfc3339 } from '../../machinery/index.js';

/** Budget is how many pods the budget expects and how many must stay healthy. */
export interface Budget {
  expected: number;
  desiredHealthy: number;
}

/** scaledValue resolves an int-or-percent against a total, rounding percentages up as upstream does for budgets. */
export function scaledValue(v: number | string, total: number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid value "${v}": must be an integer or percentage (e.g '5%')`);
  return Math.ceil((Number(m[1]) * total) / 100);
}

/** desiredHealthyFor is the number of pods that must stay healthy, given the expected count. */
export function desiredHealthyFor(spec: PodDisruptionBudgetSpec, expected: number): number {
  if (spec.maxUnavailable !== undefined) return Math.max(0, expected - scaledValue(spec.maxUnavailable, expected));
  if (spec.minAvailable !== undefined) return scaledValue(spec.minAvailable, expected);
  return expected;
}

/** budgetStatus builds the next status (upstream updatePdbStatus), keeping the condition's transition time when its status holds. */
export function budgetStatus(pdb: PodDisruptionBudget, budget: Budget, currentHealthy: number, disrupted: Record<string, string>, now: Date): PodDisruptionBudgetStatus {
  let allowed = currentHealthy - budget.desiredHealthy;
  if (budget.expected <= 0 || allowed <= 0) allowed = 0;
  const generation = pdb.metadata?.generation;
  const value = allowed > 0 ? 'True' : 'False';
  const old = pdb.status?.conditions?.find((c) => c.type === 'DisruptionAllowed');
  const lastTransitionTime = old?.status === value ? old.lastTransitionTime : rfc3339(now);
  const others = (pdb.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionAllowed');
  const status: PodDisruptionBudgetStatus = {
    ...(Object.keys(disrupted).length > 0 ? { disruptedPods: disrupted } : {}),
    disruptionsAllowed: allowed,
    currentHealthy,
    desiredHealthy: budget.desiredHealthy,
    expectedPods: budget.expected,
    observedGeneration: generation,
    conditions: [
      ...others,
      { type: 'DisruptionAllowed', status: value, reason: allowed > 0 ? 'SufficientPods' : 'InsufficientPods', message: '', lastTransitionTime, observedGeneration: generation },
    ],
  };
  return status;
}
