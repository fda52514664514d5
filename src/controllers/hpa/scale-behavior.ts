// SPDX-License-Identifier: Apache-2.0
/**
 * What stands between a metric's proposal and a new scale, after upstream
 * horizontal.go: recommendations are stabilized over windows (the highest
 * of the last 5 minutes when scaling down, by default), then the change is
 * limited by the scaling policies (rate per period) and min/max. Without
 * spec.behavior upstream uses its older rules (scale-up to at most
 * max(2×current, 4)); with it, the policies, defaulted as the API does.
 * This module keeps the per-HPA history; the controller owns one.
 */
import type { HPAScalingRules, HorizontalPodAutoscalerBehavior } from 'kubernetes-types/autoscaling/v2.js';

/** DEFAULT_DOWNSCALE_STABILIZATION_MS is --horizontal-pod-autoscaler-downscale-stabilization (5 min). */
export const DEFAULT_DOWNSCALE_STABILIZATION_MS = 300_000;

/** Effective scaling rules with every default filled in. */
export interface ScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: 'Max' | 'Min' | 'Disabled';
  policies: { type: 'Pods' | 'Percent'; value: number; periodSeconds: number }[];
}

/** scaleUpRules fills upstream's scale-up defaults: no window, the larger of +100% and +4 pods per 15 s. */
export function scaleUpRules(r: HPAScalingRules | undefined): ScalingRules {
  return {
    stabilizationWindowSeconds: r?.stabilizationWindowSeconds ?? 0,
    selectPolicy: (r?.selectPolicy as ScalingRules['selectPolicy'] | undefined) ?? 'Max',
    policies: (r?.policies as ScalingRules['policies'] | undefined) ?? [
      { type: 'Percent', value: 100, periodSeconds: 15 },
      { type: 'Pods', value: 4, periodSeconds: 15 },
    ],
  };
}

/** scaleDownRules fills upstream's scale-down defaults: a 300 s window, down to min at once (-100% per 15 s). */
export function scaleDownRules(r: HPAScalingRules | undefined, defaultWindowSeconds = DEFAULT_DOWNSCALE_STABILIZATION_MS / 1000): ScalingRules {
  return {
    stabilizationWindowSeconds: r?.stabilizationWindowSeconds ?? defaultWindowSeconds,
    selectPolicy: (r?.selectPolicy as ScalingRules['selectPolicy'] | undefined) ?? 'Max',
    policies: (r?.policies as ScalingRules['policies'] | undefined) ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  };
}

/** Limited is a replica count with the reason and message of the condition it sets. */
export interface Limited {
  replicas: number;
  reason: string;
  message: string;
}

interface Recommendation {
  replicas: number;
  at: number;
}

interface ScaleEvent {
  change: number;
  at: number;
}

/** NormalizeArgs are the inputs of one normalization. */
export interface NormalizeArgs {
  key: string;
  current: number;
  desired: number;
  min: number;
  max: number;
  behavior?: HorizontalPodAutoscalerBehavior;
  now: number;
}

/** Normalized is the outcome: the count to use and the AbleToScale / ScalingLimited conditions to set. */
export interface Normalized {
  replicas: number;
  ableToScale: { reason: string; message: string };
  scalingLimited: { status: 'True' | 'False'; reason: string; message: string };
}

const READY = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
const UP_STABILIZED = { reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' };
const DOWN_STABILIZED = { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
const WITHIN: Omit<Limited, 'replicas'> = { reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
const UP_LIMIT = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' };
const TOO_MANY = { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
const DOWN_LIMIT = { reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' };
const TOO_FEW = { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };

/** ScaleHistory remembers recent recommendations and scale events per HPA key. */
export class ScaleHistory {
  readonly #recommendations = new Map<string, Recommendation[]>();
  readonly #ups = new Map<string, ScaleEvent[]>();
  readonly #downs = new Map<string, ScaleEvent[]>();
  readonly #downscaleWindowMs: number;

  constructor(downscaleWindowMs = DEFAULT_DOWNSCALE_STABILIZATION_MS) {
    this.#downscaleWindowMs = downscaleWindowMs;
  }

  /** forget drops an HPA's history (it was deleted). */
  forget(key: string): void {
    this.#recommendations.delete(key);
    this.#ups.delete(key);
    this.#downs.delete(key);
  }

  /** normalize stabilizes and limits a proposal, recording it. */
  normalize(a: NormalizeArgs): Normalized {
    return a.behavior ? this.#withBehavior(a, a.behavior) : this.#legacy(a);
  }

  /** recordScale notes a rescale so the rate policies see it (upstream storeScaleEvent, behavior only). */
  recordScale(key: string, behavior: HorizontalPodAutoscalerBehavior | undefined, from: number, to: number, now: number): void {
    if (!behavior || from === to) return;
    const up = to > from;
    const rules = up ? scaleUpRules(behavior.scaleUp) : scaleDownRules(behavior.scaleDown, this.#downscaleWindowMs / 1000);
    const longest = Math.max(0, ...rules.policies.map((p) => p.periodSeconds)) * 1000;
    const map = up ? this.#ups : this.#downs;
    const events = (map.get(key) ?? []).filter((e) => e.at > now - longest);
    events.push({ change: Math.abs(to - from), at: now });
    map.set(key, events);
  }

  /** legacy is upstream's normalizeDesiredReplicas, used when spec.behavior is unset. */
  #legacy(a: NormalizeArgs): Normalized {
    const recs = (this.#recommendations.get(a.key) ?? []).filter((r) => r.at > a.now - this.#downscaleWindowMs);
    const stabilized = Math.max(a.desired, ...recs.map((r) => r.replicas));
    recs.push({ replicas: a.desired, at: a.now });
    this.#recommendations.set(a.key, recs);
    const ableToScale = stabilized !== a.desired ? DOWN_STABILIZED : READY;
    const scaleUpLimit = Math.max(2 * a.current, 4);
    const upper = a.max > scaleUpLimit ? { replicas: scaleUpLimit, ...UP_LIMIT } : { replicas: a.max, ...TOO_MANY };
    let limited: Limited = { replicas: stabilized, ...WITHIN };
    if (stabilized < a.min) limited = { replicas: a.min, ...TOO_FEW };
    else if (stabilized > upper.replicas) limited = upper;
    return { replicas: limited.replicas, ableToScale, scalingLimited: conditionFor(limited, stabilized) };
  }

  /** withBehavior is upstream's normalizeDesiredReplicasWithBehaviors. */
  #withBehavior(a: NormalizeArgs, behavior: HorizontalPodAutoscalerBehavior): Normalized {
    const up = scaleUpRules(behavior.scaleUp);
    const down = scaleDownRules(behavior.scaleDown, this.#downscaleWindowMs / 1000);
    // A fresh controller must not scale down at once: seed the window with the current size.
    if (!this.#recommendations.has(a.key) && down.stabilizationWindowSeconds > 0) {
      this.#recommendations.set(a.key, [{ replicas: a.current, at: a.now }]);
    }
    const stabilized = this.#stabilize(a, up, down);
    const ableToScale = stabilized === a.desired ? READY : a.desired >= a.current ? UP_STABILIZED : DOWN_STABILIZED;
    const limited = this.#limitRate({ ...a, desired: stabilized }, up, down);
    return { replicas: limited.replicas, ableToScale, scalingLimited: conditionFor(limited, stabilized) };
  }

  /** stabilize brings the proposal within [lowest recent up-window, highest recent down-window] (upstream stabilizeRecommendationWithBehaviors). */
  #stabilize(a: NormalizeArgs, up: ScalingRules, down: ScalingRules): number {
    const upCutoff = a.now - up.stabilizationWindowSeconds * 1000;
    const downCutoff = a.now - down.stabilizationWindowSeconds * 1000;
    let upRec = a.desired;
    let downRec = a.desired;
    const recs = this.#recommendations.get(a.key) ?? [];
    for (const r of recs) {
      if (r.at > upCutoff) upRec = Math.min(upRec, r.replicas);
      if (r.at > downCutoff) downRec = Math.max(downRec, r.replicas);
    }
    let rec = Math.max(a.current, upRec);
    rec = Math.min(rec, downRec);
    const kept = recs.filter((r) => r.at >= upCutoff || r.at >= downCutoff);
    kept.push({ replicas: a.desired, at: a.now });
    this.#recommendations.set(a.key, kept);
    return rec;
  }

  /** limitRate applies the scaling policies and min/max (upstream convertDesiredReplicasWithBehaviorRate). */
  #limitRate(a: NormalizeArgs, up: ScalingRules, down: ScalingRules): Limited {
    if (a.desired > a.current) {
      const limit = Math.max(a.current, scaleUpLimit(a.current, this.#ups.get(a.key) ?? [], up, a.now));
      const upper = a.max > limit ? { replicas: limit, ...UP_LIMIT } : { replicas: a.max, ...TOO_MANY };
      if (a.desired > upper.replicas) return upper;
    } else if (a.desired < a.current) {
      const limit = Math.min(a.current, scaleDownLimit(a.current, this.#downs.get(a.key) ?? [], down, a.now));
      const lower = a.min < limit ? { replicas: limit, ...DOWN_LIMIT } : { replicas: a.min, ...TOO_FEW };
      if (a.desired < lower.replicas) return lower;
    }
    return { replicas: a.desired, ...WITHIN };
  }
}

function conditionFor(limited: Limited, stabilized: number): Normalized['scalingLimited'] {
  return { status: limited.replicas === stabilized ? 'False' : 'True', reason: limited.reason, message: limited.message };
}

/** changeInPeriod sums the replica changes recorded within the last periodSeconds. */
function changeInPeriod(events: ScaleEvent[], periodSeconds: number, now: number): number {
  const cutoff = now - periodSeconds * 1000;
  return events.filter((e) => e.at > cutoff).reduce((n, e) => n + e.change, 0);
}

/** scaleUpLimit is upstream's calculateScaleUpLimitWithScalingRules. */
export function scaleUpLimit(current: number, events: ScaleEvent[], rules: ScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? Infinity : -Infinity;
  for (const p of rules.policies) {
    const start = current - changeInPeriod(events, p.periodSeconds, now);
    // Rounded up so that a small percentage still adds a pod.
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = pick(result, proposed);
  }
  return Number.isFinite(result) ? result : current;
}

/** scaleDownLimit is upstream's calculateScaleDownLimitWithBehaviors ("Max" lets the most pods go, so it takes the lowest count). */
export function scaleDownLimit(current: number, events: ScaleEvent[], rules: ScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? -Infinity : Infinity;
  for (const p of rules.policies) {
    const start = current + changeInPeriod(events, p.periodSeconds, now);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = pick(result, proposed);
  }
  return Number.isFinite(result) ? result : current;
}
