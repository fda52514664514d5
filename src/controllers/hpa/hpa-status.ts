// SPDX-License-Identifier: Apache-2.0
/**
 * HPA status conditions as upstream's setCondition: a condition keeps its
 * lastTransitionTime unless its status flips; reason and message always
 * follow the latest observation. Conditions keep the order they were first
 * set in (AbleToScale, ScalingActive, ScalingLimited).
 */
import type { HorizontalPodAutoscalerCondition, HorizontalPodAutoscalerStatus } from 'kubernetes-types/autoscaling/v2.js';

/** ConditionType is one of the three HPA conditions. */
export type ConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';

/** setCondition sets one condition on status, at time `now` (RFC 3339). */
export function setCondition(status: HorizontalPodAutoscalerStatus, type: ConditionType, value: 'True' | 'False', reason: string, message: string, now: string): void {
  const conditions = (status.conditions ??= []);
  let c: HorizontalPodAutoscalerCondition | undefined = conditions.find((x) => x.type === type);
  if (!c) {
    c = { type, status: value, lastTransitionTime: now };
    conditions.push(c);
  } else if (c.status !== value) {
    c.status = value;
    c.lastTransitionTime = now;
  }
  c.reason = reason;
  c.message = message;
}

/** conditionOf returns one condition, for tests and callers. */
export function conditionOf(status: HorizontalPodAutoscalerStatus | undefined, type: ConditionType): HorizontalPodAutoscalerCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}
