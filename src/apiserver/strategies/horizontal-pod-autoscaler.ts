// SPDX-License-Identifier: Apache-2.0
/**
 * The HorizontalPodAutoscaler strategy for autoscaling/v2 (the storage
 * version) and v1 objects: minReplicas 1, the 80% CPU metric when none is
 * given (v2), behavior defaults when behavior is set, and upstream's
 * ValidateHorizontalPodAutoscalerSpec.
 */
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject, type KubeObject } from '../../api/index.js';
import { isValidPathSegmentName } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { readSpec, specRecord } from './workload-common.js';

function rec(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

function defaultRules(rules: unknown, scaleUp: boolean): Record<string, unknown> {
  const r = isPlainObject(rules) ? rules : {};
  r.stabilizationWindowSeconds ??= scaleUp ? 0 : 300;
  r.selectPolicy ||= 'Max';
  if (!Array.isArray(r.policies) || r.policies.length === 0) {
    r.policies = scaleUp
      ? [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }]
      : [{ type: 'Percent', value: 100, periodSeconds: 15 }];
  }
  return r;
}

/** defaultHorizontalPodAutoscaler applies autoscaling v2 (or v1) defaults. */
export function defaultHorizontalPodAutoscaler(obj: KubeObject): void {
  const spec = specRecord(obj);
  spec.minReplicas ??= 1;
  if (obj.apiVersion === 'autoscaling/v1') return;
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  if (isPlainObject(spec.behavior)) {
    spec.behavior.scaleUp = defaultRules(spec.behavior.scaleUp, true);
    spec.behavior.scaleDown = defaultRules(spec.behavior.scaleDown, false);
  }
}

function validateScaleTargetRef(ref: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['kind', 'name']) {
    const v = typeof ref[k] === 'string' ? (ref[k] as string) : '';
    if (!v) errs.push(field.required(`spec.scaleTargetRef.${k}`, ''));
    else errs.push(...isValidPathSegmentName(v).map((m) => field.invalid(`spec.scaleTargetRef.${k}`, v, m)));
  }
  return errs;
}

function validateTarget(t: Record<string, unknown>, path: string): FieldError[] {
  const type = t.type;
  if (!['Utilization', 'Value', 'AverageValue'].includes(type as string)) return [field.notSupported(`${path}.type`, type ?? '', ['AverageValue', 'Utilization', 'Value'])];
  if (type === 'Utilization' && t.averageUtilization === undefined) return [field.required(`${path}.averageUtilization`, 'must set either a target raw value or a target utilization')];
  if (typeof t.averageUtilization === 'number' && t.averageUtilization <= 0) return [field.invalid(`${path}.averageUtilization`, t.averageUtilization, 'must be greater than 0')];
  return [];
}

function validateMetrics(metrics: unknown[]): FieldError[] {
  const errs: FieldError[] = [];
  const types = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
  metrics.forEach((raw, i) => {
    const m = rec(raw);
    const at = `spec.metrics[${i}]`;
    if (!m.type) return errs.push(field.required(`${at}.type`, 'must specify a metric source type'));
    if (!types.includes(m.type as string)) return errs.push(field.notSupported(`${at}.type`, m.type, types));
    const key = (m.type as string).charAt(0).toLowerCase() + (m.type as string).slice(1);
    const src = m[key];
    if (!isPlainObject(src)) return errs.push(field.required(`${at}.${key}`, `must populate information for the given metric source`));
    if ((m.type === 'Resource' || m.type === 'ContainerResource') && !src.name) errs.push(field.required(`${at}.${key}.name`, 'must specify a resource name'));
    errs.push(...validateTarget(rec(src.target), `${at}.${key}.target`));
    return errs.length;
  });
  return errs;
}

/** validateHorizontalPodAutoscalerSpec is upstream's ValidateHorizontalPodAutoscalerSpec (v2, with v1's target field). */
export function validateHorizontalPodAutoscalerSpec(spec: Record<string, unknown>, v1: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const min = spec.minReplicas;
  const max = typeof spec.maxReplicas === 'number' ? spec.maxReplicas : 0;
  if (typeof min === 'number' && min < 1) errs.push(field.invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (max < 1) errs.push(field.invalid('spec.maxReplicas', max, 'must be greater than 0'));
  if (typeof min === 'number' && max < min) errs.push(field.invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  errs.push(...validateScaleTargetRef(rec(spec.scaleTargetRef)));
  if (v1) {
    const t = spec.targetCPUUtilizationPercentage;
    if (typeof t === 'number' && t < 1) errs.push(field.invalid('spec.targetCPUUtilizationPercentage', t, 'must be greater than 0'));
  } else {
    errs.push(...validateMetrics(Array.isArray(spec.metrics) ? spec.metrics : []));
  }
  return errs;
}

/** horizontalPodAutoscalerStrategy is the ResourceStrategy of HPAs (autoscaling/v2, and v1 by apiVersion). */
export const horizontalPodAutoscalerStrategy: ResourceStrategy = {
  default: defaultHorizontalPodAutoscaler,
  prepareForCreate(obj) {
    obj.status = { currentReplicas: 0, desiredReplicas: 0 };
  },
  validate: (obj) => validateHorizontalPodAutoscalerSpec(readSpec(obj), obj.apiVersion === 'autoscaling/v1'),
};
