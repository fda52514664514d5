// SPDX-License-Identifier: Apache-2.0
/**
 * The replica count one Resource or ContainerResource metric proposes, from
 * the resource metrics API's per-pod usage (upstream podautoscaler
 * horizontal.go computeStatusForResourceMetric and the resource metrics
 * client), and how a metric's failure is reported.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import { Quantity, parseQuantity } from '../../api/index.js';
import type { Clock } from '../../client/index.js';
import { parseWindow, type PodMetricsSource } from './pod-metrics.js';
import { resourceAverageValueReplicas, resourceUtilizationReplicas, type CalculatorOptions, type PodSample, type ReplicaProposal } from './replica-calculator.js';

/** MetricFailure is a metric that could not be computed, with the reason of its condition and Event. */
export class MetricFailure extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** MetricReplicas proposes replica counts for resource metrics. */
export class MetricReplicas {
  readonly #metrics: PodMetricsSource;
  readonly #calc: Omit<CalculatorOptions, 'now'>;
  readonly #clock: Clock;

  constructor(metrics: PodMetricsSource, calc: Omit<CalculatorOptions, 'now'>, clock: Clock) {
    this.#metrics = metrics;
    this.#calc = calc;
    this.#clock = clock;
  }

  /** propose proposes replicas for one Resource or ContainerResource metric. */
  async propose(spec: MetricSpec, current: number, pods: Pod[], ns: string, selector: string): Promise<{ proposal: ReplicaProposal; status: MetricStatus; name: string }> {
    const source = spec.type === 'Resource' ? spec.resource : spec.type === 'ContainerResource' ? spec.containerResource : undefined;
    if (!source) {
      const known = ['Object', 'Pods', 'External'].includes(spec.type);
      if (known) throw new MetricFailure(`FailedGet${spec.type}Metric`, `unable to get ${spec.type.toLowerCase()} metric: the custom and external metrics APIs are not served`);
      throw new MetricFailure('InvalidMetricSourceType', `unrecognized metric source type "${spec.type}"`);
    }
    const resource = source.name;
    const container = spec.type === 'ContainerResource' ? spec.containerResource?.container : undefined;
    const reason = container ? 'FailedGetContainerResourceMetric' : 'FailedGetResourceMetric';
    const target = source.target;
    const opts = { ...this.#calc, now: this.#clock.now() };
    if (target.averageValue !== undefined) {
      const samples = await this.#samples(reason, `failed to get ${resource} usage`, ns, selector, resource, container);
      const proposal = wrap(reason, `failed to get ${resource} usage`, () => resourceAverageValueReplicas(current, parseQuantity(target.averageValue!).milliValue(), pods, samples, resource, opts));
      const status = { averageValue: Quantity.fromMilli(proposal.average).toString() };
      return { proposal, status: metricStatus(spec, status), name: `${resource} resource` };
    }
    if (target.averageUtilization === undefined) {
      throw new MetricFailure(reason, 'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set');
    }
    const samples = await this.#samples(reason, `failed to get ${resource} utilization`, ns, selector, resource, container);
    const proposal = wrap(reason, `failed to get ${resource} utilization`, () => resourceUtilizationReplicas(current, target.averageUtilization!, pods, samples, resource, opts, container));
    const status = { averageUtilization: proposal.utilization, averageValue: Quantity.fromMilli(proposal.average).toString() };
    const name = container ? `${resource} container resource utilization (percentage of request)` : `${resource} resource utilization (percentage of request)`;
    return { proposal, status: metricStatus(spec, status), name };
  }

  /** samples fetches per-pod usage of one resource in thousandths (upstream resource metrics client). */
  async #samples(reason: string, prefix: string, ns: string, selector: string, resource: string, container?: string): Promise<Map<string, PodSample>> {
    const what = (e: string): string => `${prefix}: unable to get metrics for resource ${resource}: ${e}`;
    let raw;
    try {
      raw = await this.#metrics.podMetrics(ns, selector);
    } catch (err) {
      throw new MetricFailure(reason, what(`unable to fetch metrics from resource metrics API: ${(err as Error).message}`));
    }
    if (raw.length === 0) throw new MetricFailure(reason, what('no metrics returned from resource metrics API'));
    const out = new Map<string, PodSample>();
    for (const m of raw) {
      let sum = 0;
      let missing = m.containers.length === 0;
      for (const c of m.containers) {
        if (container && c.name !== container) continue;
        const v = (c.usage as Record<string, string | undefined>)[resource];
        if (v === undefined) {
          missing = true;
          break;
        }
        sum += parseQuantity(v).milliValue();
      }
      if (!missing) out.set(m.pod, { value: sum, timestamp: Date.parse(m.timestamp) || 0, windowMs: parseWindow(m.window) });
    }
    return out;
  }
}

function wrap<T>(reason: string, prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new MetricFailure(reason, `${prefix}: ${(err as Error).message}`);
  }
}

function metricStatus(spec: MetricSpec, current: { averageUtilization?: number; averageValue?: string }): MetricStatus {
  if (spec.type === 'ContainerResource') {
    return { type: 'ContainerResource', containerResource: { name: spec.containerResource!.name, container: spec.containerResource!.container, current } };
  }
  return { type: 'Resource', resource: { name: spec.resource!.name, current } };
}

/** metricPrefix renders a failure as upstream's FailedComputeMetricsReplicas does ("failed to get cpu resource metric value: ..."). */
export function metricPrefix(specs: MetricSpec[], f: MetricFailure): string {
  const spec = specs.find((s) => s.type === 'Resource' || s.type === 'ContainerResource');
  if (f.reason === 'FailedGetResourceMetric' && spec?.resource) return `failed to get ${spec.resource.name} resource metric value: ${f.message}`;
  if (f.reason === 'FailedGetContainerResourceMetric' && spec?.containerResource) return `failed to get ${spec.containerResource.name} container metric value: ${f.message}`;
  return f.message;
}
