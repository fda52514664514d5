// SPDX-License-Identifier: Apache-2.0
/**
 * The HorizontalPodAutoscaler table: NAME REFERENCE TARGETS MINPODS MAXPODS
 * REPLICAS AGE, as upstream's printHorizontalPodAutoscaler. Objects may come
 * in the autoscaling/v2 shape (metrics) or the v1 shape (CPU percentage
 * only); v1 is read into v2 metrics first, as upstream converts both to one
 * internal type before printing.
 */
import type { HorizontalPodAutoscaler as HPAv1 } from 'kubernetes-types/autoscaling/v1.js';
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import { age, ageColumn, column, nameColumn, printer } from './columns.js';

type AnyHPA = HorizontalPodAutoscaler & { spec?: Partial<NonNullable<HPAv1['spec']>>; status?: Partial<NonNullable<HPAv1['status']>> };

/** horizontalPodAutoscalerTableConvertor prints v1 and v2 HPAs. */
export const horizontalPodAutoscalerTableConvertor = printer<AnyHPA>(
  [
    nameColumn(),
    column('Reference', 'string', 'The scaled object, as Kind/name.'),
    column('Targets', 'string', 'Current and target values of the metrics.'),
    column('MinPods', 'string', 'Lower replica limit.'),
    column('MaxPods', 'string', 'Upper replica limit.'),
    column('Replicas', 'string', 'Replicas the autoscaler last saw.'),
    ageColumn(),
  ],
  (hpa, now) => {
    const { specs, statuses } = metricsOf(hpa);
    const ref = hpa.spec?.scaleTargetRef;
    const min = hpa.spec?.minReplicas;
    return [
      hpa.metadata?.name ?? '',
      `${ref?.kind ?? ''}/${ref?.name ?? ''}`,
      formatMetrics(specs, statuses),
      min === undefined || min === null ? '<unset>' : String(min),
      hpa.spec?.maxReplicas ?? 0,
      hpa.status?.currentReplicas ?? 0,
      age(hpa, now),
    ];
  },
);

/** metricsOf returns v2 metric specs and statuses, converting the v1 CPU percentage fields when present. */
function metricsOf(hpa: AnyHPA): { specs: MetricSpec[]; statuses: MetricStatus[] } {
  if (hpa.spec?.metrics || hpa.spec?.targetCPUUtilizationPercentage === undefined) {
    return { specs: hpa.spec?.metrics ?? [], statuses: hpa.status?.currentMetrics ?? [] };
  }
  const specs: MetricSpec[] = [
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: hpa.spec.targetCPUUtilizationPercentage } } },
  ];
  const current = hpa.status?.currentCPUUtilizationPercentage;
  const statuses: MetricStatus[] =
    current === undefined ? [] : [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current } } }];
  return { specs, statuses };
}

/** formatMetrics shows up to two `current/target` pairs and counts the rest, as upstream's formatHPAMetrics. */
function formatMetrics(specs: MetricSpec[], statuses: MetricStatus[]): string {
  if (specs.length === 0) return '<none>';
  const list = specs.map((spec, i) => formatMetric(spec, statuses[i]));
  const max = 2;
  if (list.length <= max) return list.join(', ');
  return `${list.slice(0, max).join(', ')} + ${list.length - max} more...`;
}

function formatMetric(spec: MetricSpec, status: MetricStatus | undefined): string {
  switch (spec.type) {
    case 'External':
    case 'Object': {
      const target = spec.type === 'External' ? spec.external?.target : spec.object?.target;
      const current = spec.type === 'External' ? status?.external?.current : status?.object?.current;
      const found = spec.type === 'External' ? status?.external : status?.object;
      if (target?.averageValue != null) {
        return `${current?.averageValue ?? '<unknown>'}/${target.averageValue} (avg)`;
      }
      return `${found ? quantity(current?.value) : '<unknown>'}/${quantity(target?.value)}`;
    }
    case 'Pods':
      return `${status?.pods ? quantity(status.pods.current?.averageValue) : '<unknown>'}/${quantity(spec.pods?.target?.averageValue)}`;
    case 'Resource':
      return resourceMetric(spec.resource?.name, spec.resource?.target, status?.resource?.current, status?.resource !== undefined);
    case 'ContainerResource':
      return resourceMetric(
        spec.containerResource?.name,
        spec.containerResource?.target,
        status?.containerResource?.current,
        status?.containerResource !== undefined,
      );
    default:
      return '<unknown type>';
  }
}

interface Target {
  averageValue?: string;
  averageUtilization?: number;
}

function resourceMetric(name: string | undefined, target: Target | undefined, current: Target | undefined, hasStatus: boolean): string {
  if (target?.averageValue != null) {
    return `${name ?? ''}: ${hasStatus ? quantity(current?.averageValue) : '<unknown>'}/${target.averageValue}`;
  }
  const cur = current?.averageUtilization != null ? `${current.averageUtilization}%` : '<unknown>';
  const tgt = target?.averageUtilization != null ? `${target.averageUtilization}%` : '<auto>';
  return `${name ?? ''}: ${cur}/${tgt}`;
}

/** quantity renders a quantity string; a missing one prints as Go prints a nil *Quantity. */
function quantity(q: string | undefined): string {
  return q ?? '<nil>';
}
