// SPDX-License-Identifier: Apache-2.0
/**
 * The HorizontalPodAutoscaler controller, after upstream
 * pkg/controller/podautoscaler/horizontal.go: every resync period (15 s)
 * each HPA reads its target's scale subresource, lists the pods the scale's
 * selector picks, asks the pod metrics source for usage, proposes a count
 * per metric (the largest wins), stabilizes and rate-limits it, writes it
 * back through the scale subresource and reports what it saw in status
 * conditions and Events with upstream's reasons and messages.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerStatus, MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import { deepClone, deepEqual, type KubeObject } from '../../api/index.js';
import { apiVersionOf, lookupKind, type ResourceInfo } from '../../api/index.js';
import { R, type Client, type ResourceRef } from '../../client/index.js';
import type { EventRecorder } from '../../client/index.js';
import { keyOf, type InformerFactory, type SharedInformer } from '../../client/index.js';
import { systemClock, type Clock } from '../../client/index.js';
import { isNotFound, rfc3339 } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';
import { setCondition } from './hpa-status.js';
import { MetricFailure, MetricReplicas, metricPrefix } from './metric-replicas.js';
import type { PodMetricsSource } from './pod-metrics.js';
import { DEFAULT_CALCULATOR_OPTIONS, type CalculatorOptions } from './replica-calculator.js';
import { DEFAULT_DOWNSCALE_STABILIZATION_MS, ScaleHistory } from './scale-behavior.js';

/** DEFAULT_HPA_SYNC_PERIOD_MS is --horizontal-pod-autoscaler-sync-period (15 s). */
export const DEFAULT_HPA_SYNC_PERIOD_MS = 15_000;

/** HorizontalControllerOptions are the dependencies and tunables of the HPA controller. */
export interface HorizontalControllerOptions {
  client: Client;
  factory: InformerFactory;
  recorder: EventRecorder;
  metrics: PodMetricsSource;
  clock?: Clock;
  log?: (msg: string) => void;
  syncPeriodMs?: number;
  downscaleStabilizationMs?: number;
  calculator?: Partial<Omit<CalculatorOptions, 'now'>>;
}

type HPA = HorizontalPodAutoscaler & KubeObject;

interface Scale extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

interface MetricsResult {
  replicas: number;
  metricName: string;
  statuses: MetricStatus[];
}

/** HorizontalController reconciles HorizontalPodAutoscalers with their targets' scale. */
export class HorizontalController extends Reconciler {
  readonly history: ScaleHistory;
  readonly #client: Client;
  readonly #recorder: EventRecorder;
  readonly #metricReplicas: MetricReplicas;
  readonly #clock: Clock;
  readonly #syncPeriodMs: number;
  readonly #hpas: SharedInformer<HPA>;
  readonly #log?: (msg: string) => void;

  constructor(opts: HorizontalControllerOptions) {
    super({ name: 'horizontal-pod-autoscaler', clock: opts.clock, log: opts.log });
    this.#client = opts.client;
    this.#recorder = opts.recorder;
    this.#log = opts.log;
    this.#clock = opts.clock ?? systemClock;
    this.#syncPeriodMs = opts.syncPeriodMs ?? DEFAULT_HPA_SYNC_PERIOD_MS;
    this.#metricReplicas = new MetricReplicas(opts.metrics, { ...DEFAULT_CALCULATOR_OPTIONS, ...opts.calculator }, this.#clock);
    this.history = new ScaleHistory(opts.downscaleStabilizationMs ?? DEFAULT_DOWNSCALE_STABILIZATION_MS);
    this.#hpas = opts.factory.informer<HPA>(R.horizontalpodautoscalers);
    this.#hpas.addEventHandler({
      onAdd: (o) => this.enqueue(keyOf(o)),
      // Our own status writes come back as updates; only a spec change deserves a look before the next period.
      onUpdate: (old, o) => {
        if (old.metadata.generation !== o.metadata.generation) this.enqueue(keyOf(o));
      },
      onDelete: (o) => this.history.forget(keyOf(o)),
    });
  }

  /** sync reconciles one HPA and schedules the next look one sync period later. */
  async sync(key: string): Promise<void> {
    const cached = this.#hpas.get(key);
    if (!cached) {
      this.history.forget(key);
      return;
    }
    try {
      await this.#reconcile(key, cached);
    } finally {
      this.queue.addAfter(key, this.#syncPeriodMs);
    }
  }

  #now(): string {
    return rfc3339(this.#clock.now());
  }

  /** reconcile is upstream's reconcileAutoscaler. */
  async #reconcile(key: string, cached: HPA): Promise<void> {
    const hpa = deepClone(cached);
    const original = deepClone(cached.status ?? {}) as HorizontalPodAutoscalerStatus;
    const status = (hpa.status = deepClone(original));
    const now = this.#now();
    const targetRef = hpa.spec?.scaleTargetRef;
    const reference = `${targetRef?.kind}/${targetRef?.name}`;
    const ns = hpa.metadata.namespace ?? '';
    let ref: ResourceRef;
    let scale: Scale;
    try {
      ref = scaleRef(targetRef?.apiVersion ?? '', targetRef?.kind ?? '', await this.#client.serverResources?.());
      scale = await this.#client.get<Scale>(ref, targetRef?.name ?? '', { namespace: ns, subresource: 'scale' });
    } catch (err) {
      const msg = (err as Error).message;
      void this.#recorder.event(hpa, 'Warning', 'FailedGetScale', msg);
      setCondition(status, 'AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${msg}`, now);
      await this.#writeStatus(hpa, original);
      return;
    }
    setCondition(status, 'AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale", now);
    const current = scale.spec?.replicas ?? 0;
    const min = hpa.spec?.minReplicas ?? 1;
    const max = hpa.spec?.maxReplicas ?? current;
    let desired = 0;
    let reason = '';
    let statuses: MetricStatus[] | undefined = status.currentMetrics ?? undefined;
    let rescale = false;
    if (current === 0 && min !== 0) {
      // A target scaled to zero by hand switches autoscaling off (upstream: ScalingDisabled).
      setCondition(status, 'ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero', now);
    } else if (current > max) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = max;
    } else if (current < min) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = min;
    } else {
      let result: MetricsResult;
      try {
        result = await this.#computeReplicas(hpa, scale, current, now);
      } catch (err) {
        status.currentReplicas = scale.status?.replicas ?? 0;
        void this.#recorder.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', (err as Error).message);
        await this.#writeStatus(hpa, original);
        return;
      }
      statuses = result.statuses;
      const normalized = this.history.normalize({ key, current, desired: result.replicas, min, max, behavior: hpa.spec?.behavior, now: this.#clock.now() });
      setCondition(status, 'AbleToScale', 'True', normalized.ableToScale.reason, normalized.ableToScale.message, now);
      setCondition(status, 'ScalingLimited', normalized.scalingLimited.status, normalized.scalingLimited.reason, normalized.scalingLimited.message, now);
      desired = normalized.replicas;
      reason = desired > current ? `${result.metricName} above target` : 'All metrics below target';
    }
    rescale = desired !== current && !(current === 0 && min !== 0);
    if (rescale) {
      try {
        await this.#client.update(ref, { ...scale, spec: { ...scale.spec, replicas: desired } }, { namespace: ns, subresource: 'scale' });
      } catch (err) {
        const msg = (err as Error).message;
        void this.#recorder.event(hpa, 'Warning', 'FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${msg}`);
        setCondition(status, 'AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${msg}`, now);
        Object.assign(status, { currentReplicas: current, currentMetrics: statuses });
        await this.#writeStatus(hpa, original);
        return;
      }
      setCondition(status, 'AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`, now);
      void this.#recorder.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      this.history.recordScale(key, hpa.spec?.behavior, current, desired, this.#clock.now());
      this.#log?.(`${reference}: scaled ${current} -> ${desired} (${reason})`);
      status.lastScaleTime = now;
    } else {
      desired = current;
    }
    status.currentReplicas = current;
    status.desiredReplicas = desired;
    if (statuses) status.currentMetrics = statuses;
    status.observedGeneration = hpa.metadata.generation;
    await this.#writeStatus(hpa, original);
  }

  /**
   * computeReplicas is upstream's computeReplicasForMetrics: every metric
   * proposes a count and the largest wins; a metric that fails sets
   * ScalingActive=False with its reason. It fails as a whole when every
   * metric failed, or when some failed and the rest would scale down
   * (scaling down on partial data could remove needed pods).
   */
  async #computeReplicas(hpa: HPA, scale: Scale, current: number, now: string): Promise<MetricsResult> {
    const status = hpa.status as HorizontalPodAutoscalerStatus;
    const selector = scale.status?.selector ?? '';
    if (!selector) {
      void this.#recorder.event(hpa, 'Warning', 'SelectorRequired', 'selector is required');
      setCondition(status, 'ScalingActive', 'False', 'InvalidSelector', "the HPA target's scale is missing a selector", now);
      throw new MetricFailure('InvalidSelector', 'selector is required');
    }
    const specs = hpa.spec?.metrics?.length ? hpa.spec.metrics : [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } } as MetricSpec];
    const ns = hpa.metadata.namespace ?? '';
    const pods = (await this.#client.list(R.pods, { namespace: ns, labelSelector: selector })).items as Pod[];
    let best: { replicas: number; name: string } | undefined;
    const statuses: MetricStatus[] = [];
    const failures: MetricFailure[] = [];
    for (const spec of specs) {
      try {
        const r = await this.#metricReplicas.propose(spec, current, pods, ns, selector);
        statuses.push(r.status);
        if (!best || r.proposal.replicas > best.replicas) best = { replicas: r.proposal.replicas, name: r.name };
      } catch (err) {
        const f = err instanceof MetricFailure ? err : new MetricFailure('FailedGetResourceMetric', (err as Error).message);
        void this.#recorder.event(hpa, 'Warning', f.reason, f.message);
        setCondition(status, 'ScalingActive', 'False', f.reason, `the HPA was unable to compute the replica count: ${f.message}`, now);
        failures.push(f);
      }
    }
    if (failures.length >= specs.length || (failures.length > 0 && best && best.replicas < current)) {
      if (statuses.length) status.currentMetrics = statuses;
      throw new Error(`invalid metrics (${failures.length} invalid out of ${specs.length}), first error is: ${metricPrefix(specs, failures[0])}`);
    }
    setCondition(status, 'ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${best!.name}`, now);
    return { replicas: best!.replicas, metricName: best!.name, statuses };
  }

  /** writeStatus writes status when it changed (upstream updateStatusIfNeeded). */
  async #writeStatus(hpa: HPA, original: HorizontalPodAutoscalerStatus): Promise<void> {
    if (deepEqual(hpa.status, original)) return;
    try {
      await this.#client.update(R.horizontalpodautoscalers, hpa, { namespace: hpa.metadata.namespace, subresource: 'status' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** scaleRef finds the resource a scaleTargetRef names; an unknown kind fails as upstream's RESTMapper does. */
export function scaleRef(apiVersion: string, kind: string, served?: readonly ResourceInfo[]): ResourceRef {
  // Custom resources with a scale subresource are found among what the server serves now.
  const info = served ? served.find((r) => r.kind === kind && apiVersionOf(r) === apiVersion) : lookupKind(apiVersion, kind);
  if (!info || !info.subresources.includes('scale')) {
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    throw new Error(`no matches for kind "${kind}" in group "${group}"`);
  }
  return { group: info.group, version: info.version, resource: info.plural };
}
