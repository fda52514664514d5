// SPDX-License-Identifier: Apache-2.0
/**
 * Conversions for resources served in more than one version but stored once:
 * autoscaling/v1 HorizontalPodAutoscaler (stored as v2) and events.k8s.io/v1
 * Event (stored as core/v1 Event), following upstream's conversion functions.
 * Converters never mutate their input: decoded objects are shared by watchers.
 */
import type { KubeObject } from '../../api/index.js';
import type { VersionConverter } from '../definitions/definition.js';

type Json = Record<string, unknown>;

const HPA_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
const HPA_BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
const HPA_CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
const HPA_CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';

function isCpuUtilization(m: Json): boolean {
  const r = m.resource as Json | undefined;
  return m.type === 'Resource' && r?.name === 'cpu' && (r.target as Json | undefined)?.type === 'Utilization';
}

/** hpaV1 converts autoscaling/v1 <-> the stored autoscaling/v2 form; v2-only data rides in annotations, as upstream. */
export const hpaV1: VersionConverter = {
  toStorage(obj: KubeObject): KubeObject {
    const out = structuredClone(obj) as KubeObject & { spec?: Json; status?: Json };
    const annotations = { ...(out.metadata.annotations ?? {}) };
    const spec = (obj.spec ?? {}) as Json;
    const metrics: Json[] = [];
    const extra = annotations[HPA_METRICS_ANNOTATION];
    if (extra) metrics.push(...(JSON.parse(extra) as Json[]));
    if (typeof spec.targetCPUUtilizationPercentage === 'number') {
      metrics.unshift({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
    }
    // The stored form is autoscaling/v2, whose defaulting adds the 80% CPU utilization metric when
    // none is given (SetDefaults_HorizontalPodAutoscaler): `kubectl autoscale` without --cpu-percent.
    if (!metrics.length) metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } });
    const v2spec: Json = { scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, metrics };
    const behavior = annotations[HPA_BEHAVIOR_ANNOTATION];
    if (behavior) v2spec.behavior = JSON.parse(behavior);
    out.spec = v2spec;
    const status = obj.status as Json | undefined;
    if (status) {
      const v2status: Json = {
        observedGeneration: status.observedGeneration,
        lastScaleTime: status.lastScaleTime,
        currentReplicas: status.currentReplicas ?? 0,
        desiredReplicas: status.desiredReplicas ?? 0,
      };
      const conds = annotations[HPA_CONDITIONS_ANNOTATION];
      if (conds) v2status.conditions = JSON.parse(conds);
      const cur = annotations[HPA_CURRENT_METRICS_ANNOTATION];
      if (cur) v2status.currentMetrics = JSON.parse(cur);
      out.status = v2status;
    }
    for (const a of [HPA_METRICS_ANNOTATION, HPA_BEHAVIOR_ANNOTATION, HPA_CONDITIONS_ANNOTATION, HPA_CURRENT_METRICS_ANNOTATION]) delete annotations[a];
    out.metadata.annotations = Object.keys(annotations).length ? annotations : undefined;
    if (!out.metadata.annotations) delete out.metadata.annotations;
    return out;
  },
  fromStorage(obj: KubeObject): KubeObject {
    const out = structuredClone(obj) as KubeObject;
    const spec = (obj.spec ?? {}) as Json;
    const metrics = (spec.metrics as Json[] | undefined) ?? [];
    const cpu = metrics.find(isCpuUtilization);
    const rest = metrics.filter((m) => m !== cpu);
    const annotations = { ...(out.metadata.annotations ?? {}) };
    const v1spec: Json = { scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas };
    if (cpu) v1spec.targetCPUUtilizationPercentage = ((cpu.resource as Json).target as Json).averageUtilization;
    if (rest.length) annotations[HPA_METRICS_ANNOTATION] = JSON.stringify(rest);
    if (spec.behavior) annotations[HPA_BEHAVIOR_ANNOTATION] = JSON.stringify(spec.behavior);
    out.spec = v1spec;
    const status = obj.status as Json | undefined;
    if (status) {
      const current = (status.currentMetrics as Json[] | undefined) ?? [];
      const cpuNow = current.find((m) => m.type === 'Resource' && (m.resource as Json | undefined)?.name === 'cpu');
      const v1status: Json = {
        observedGeneration: status.observedGeneration,
        lastScaleTime: status.lastScaleTime,
        currentReplicas: status.currentReplicas ?? 0,
        desiredReplicas: status.desiredReplicas ?? 0,
      };
      const util = ((cpuNow?.resource as Json | undefined)?.current as Json | undefined)?.averageUtilization;
      if (typeof util === 'number') v1status.currentCPUUtilizationPercentage = util;
      if (status.conditions) annotations[HPA_CONDITIONS_ANNOTATION] = JSON.stringify(status.conditions);
      if (current.length) annotations[HPA_CURRENT_METRICS_ANNOTATION] = JSON.stringify(current);
      out.status = v1status;
    }
    if (Object.keys(annotations).length) out.metadata.annotations = annotations;
    return out;
  },
};

/** Field renames between events.k8s.io/v1 Event and core/v1 Event (upstream's events conversion). */
const EVENT_RENAMES: [string, string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
  ['reportingController', 'reportingComponent'],
];

/** eventsV1 converts events.k8s.io/v1 Events <-> the stored core/v1 form. */
export const eventsV1: VersionConverter = {
  toStorage(obj: KubeObject): KubeObject {
    const out = structuredClone(obj) as Json;
    for (const [from, to] of EVENT_RENAMES) {
      if (from in out) {
        out[to] = out[from];
        delete out[from];
      }
    }
    return out as KubeObject;
  },
  fromStorage(obj: KubeObject): KubeObject {
    const out = structuredClone(obj) as Json;
    for (const [to, from] of EVENT_RENAMES) {
      if (from in out) {
        out[to] = out[from];
        delete out[from];
      }
    }
    return out as KubeObject;
  },
};
