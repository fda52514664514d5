// SPDX-License-Identifier: Apache-2.0
/**
 * The replica calculator, after upstream
 * pkg/controller/podautoscaler/replica_calculator.go: from per-pod metric
 * samples and the pods themselves, propose a replica count. Pods being
 * deleted or failed are ignored; pending and (for CPU) unready or
 * just-started pods are set aside and, like pods without samples, only
 * dampen a proposal: they count as 0% on a scale-up and as 100% of their
 * request (or at the target) on a scale-down, and a proposal that flips
 * direction or lands within the tolerance keeps the current count.
 * All values are in thousandths of a unit (upstream uses MilliValue).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../api/index.js';
import { readyCondition } from '../pod-status.js';

/** PodSample is one pod's metric value, in thousandths, with when and over what window it was measured. */
export interface PodSample {
  value: number;
  timestamp: number;
  windowMs: number;
}

/** CalculatorOptions are the upstream flags that tune the calculator. */
export interface CalculatorOptions {
  /** tolerance is --horizontal-pod-autoscaler-tolerance (0.1). */
  tolerance: number;
  /** cpuInitializationPeriodMs is --horizontal-pod-autoscaler-cpu-initialization-period (5 min). */
  cpuInitializationPeriodMs: number;
  /** delayOfInitialReadinessStatusMs is --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  delayOfInitialReadinessStatusMs: number;
  now: number;
}

/** DEFAULT_CALCULATOR_OPTIONS are upstream's flag defaults (without `now`). */
export const DEFAULT_CALCULATOR_OPTIONS: Omit<CalculatorOptions, 'now'> = {
  tolerance: 0.1,
  cpuInitializationPeriodMs: 5 * 60_000,
  delayOfInitialReadinessStatusMs: 30_000,
};

/** ReplicaProposal is the calculator's answer for one metric. */
export interface ReplicaProposal {
  replicas: number;
  /** utilization is the average utilization in percent (Utilization targets only). */
  utilization?: number;
  /** average is the average value per pod in thousandths. */
  average: number;
}

interface PodGroups {
  readyCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/** groupPods sorts pods as upstream's groupPods: ready with a sample, unready, missing a sample, ignored. */
export function groupPods(pods: Pod[], samples: Map<string, PodSample>, resource: string, opts: CalculatorOptions): PodGroups {
  const g: PodGroups = { readyCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    if (pod.metadata?.deletionTimestamp || pod.status?.phase === 'Failed') {
      g.ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      g.unready.add(name);
      continue;
    }
    const sample = samples.get(name);
    if (!sample) {
      g.missing.add(name);
      continue;
    }
    if (resource === 'cpu' && cpuSampleUnready(pod, sample, opts)) {
      g.unready.add(name);
      continue;
    }
    g.readyCount++;
  }
  return g;
}

/**
 * cpuSampleUnready: CPU spikes while a pod starts, so a sample taken during
 * the initialization period counts only if the pod is ready and was ready
 * for a whole metric window; later, only a pod that never became ready is
 * set aside (upstream groupPods).
 */
function cpuSampleUnready(pod: Pod, sample: PodSample, opts: CalculatorOptions): boolean {
  const cond = readyCondition(pod);
  const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : NaN;
  if (!cond || Number.isNaN(start)) return true;
  const transition = cond.lastTransitionTime ? Date.parse(cond.lastTransitionTime) : 0;
  if (start + opts.cpuInitializationPeriodMs > opts.now) {
    return cond.status === 'False' || sample.timestamp < transition + sample.windowMs;
  }
  return cond.status === 'False' && start + opts.delayOfInitialReadinessStatusMs > transition;
}

/** podRequests sums each pod's container requests for a resource, in thousandths; a container without one is an error, as upstream. */
export function podRequests(pods: Pod[], resource: string, container?: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    for (const c of pod.spec?.containers ?? []) {
      if (container && c.name !== container) continue;
      const req = c.resources?.requests?.[resource];
      if (req === undefined) throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata?.name ?? ''}`);
      sum += parseQuantity(req).milliValue();
    }
    out.set(pod.metadata?.name ?? '', sum);
  }
  return out;
}

/** utilizationRatio is upstream's GetResourceUtilizationRatio: usage over requests of pods with samples. */
function utilizationRatio(samples: Map<string, PodSample>, requests: Map<string, number>, target: number): { ratio: number; utilization: number; average: number } {
  let used = 0;
  let requested = 0;
  let n = 0;
  for (const [pod, s] of samples) {
    const r = requests.get(pod);
    if (r === undefined) continue;
    used += s.value;
    requested += r;
    n++;
  }
  if (requested === 0) throw new Error('no metrics returned matched known pods');
  const utilization = Math.trunc((used * 100) / requested);
  return { ratio: utilization / target, utilization, average: Math.trunc(used / n) };
}

/** averageRatio is upstream's GetMetricUsageRatio: the mean sample over the target. */
function averageRatio(samples: Map<string, PodSample>, target: number): { ratio: number; average: number } {
  let sum = 0;
  for (const s of samples.values()) sum += s.value;
  const average = samples.size ? sum / samples.size : 0;
  return { ratio: average / target, average: Math.trunc(average) };
}

/** MetricTarget says how a sample set compares with its target. */
interface Comparison {
  ratio(samples: Map<string, PodSample>): number;
  /** fallback is what a pod without a sample is assumed to use on a scale-down. */
  fallback(pod: string): number;
}

/**
 * replicasFor is the common tail of upstream's GetResourceReplicas and
 * calcPlainMetricReplicas: rebalance set-aside pods and decide.
 */
function replicasFor(currentReplicas: number, pods: Pod[], samples: Map<string, PodSample>, resource: string, cmp: Comparison, opts: CalculatorOptions): number {
  if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, samples, resource, opts);
  const usable = new Map([...samples].filter(([p]) => !g.ignored.has(p) && !g.unready.has(p)));
  if (usable.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const ratio = cmp.ratio(usable);
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  const within = (r: number): boolean => Math.abs(1 - r) <= opts.tolerance;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    return within(ratio) ? currentReplicas : Math.ceil(ratio * g.readyCount);
  }
  const rebalanced = new Map(usable);
  for (const pod of g.missing) {
    if (ratio < 1) rebalanced.set(pod, { value: cmp.fallback(pod), timestamp: 0, windowMs: 0 });
    else if (ratio > 1) rebalanced.set(pod, { value: 0, timestamp: 0, windowMs: 0 });
  }
  if (scaleUpWithUnready) for (const pod of g.unready) rebalanced.set(pod, { value: 0, timestamp: 0, windowMs: 0 });
  const next = cmp.ratio(rebalanced);
  if (within(next) || (ratio > 1 && next < 1) || (ratio < 1 && next > 1)) return currentReplicas;
  const replicas = Math.ceil(next * rebalanced.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas)) return currentReplicas;
  return replicas;
}

/** resourceUtilizationReplicas proposes replicas for a Resource metric with an averageUtilization target (percent of request). */
export function resourceUtilizationReplicas(
  currentReplicas: number,
  targetUtilization: number,
  pods: Pod[],
  samples: Map<string, PodSample>,
  resource: string,
  opts: CalculatorOptions,
  container?: string,
): ReplicaProposal {
  if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const requests = podRequests(pods, resource, container);
  const g = groupPods(pods, samples, resource, opts);
  const usable = new Map([...samples].filter(([p]) => !g.ignored.has(p) && !g.unready.has(p)));
  if (usable.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const current = utilizationRatio(usable, requests, targetUtilization);
  const fallbackPercent = Math.max(100, targetUtilization);
  const replicas = replicasFor(currentReplicas, pods, samples, resource, {
    ratio: (s) => utilizationRatio(s, requests, targetUtilization).ratio,
    fallback: (pod) => Math.trunc(((requests.get(pod) ?? 0) * fallbackPercent) / 100),
  }, opts);
  return { replicas, utilization: current.utilization, average: current.average };
}

/** resourceAverageValueReplicas proposes replicas for a Resource metric with an averageValue target (thousandths per pod). */
export function resourceAverageValueReplicas(
  currentReplicas: number,
  targetAverage: number,
  pods: Pod[],
  samples: Map<string, PodSample>,
  resource: string,
  opts: CalculatorOptions,
): ReplicaProposal {
  if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, samples, resource, opts);
  const usable = new Map([...samples].filter(([p]) => !g.ignored.has(p) && !g.unready.has(p)));
  if (usable.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const { average } = averageRatio(usable, targetAverage);
  const replicas = replicasFor(currentReplicas, pods, samples, resource, {
    ratio: (s) => averageRatio(s, targetAverage).ratio,
    fallback: () => targetAverage,
  }, opts);
  return { replicas, average };
}
