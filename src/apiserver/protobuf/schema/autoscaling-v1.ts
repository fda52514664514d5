// SPDX-License-Identifier: Apache-2.0
/**
 * Protobuf field table of autoscaling/v1 (Kubernetes 1.32): only the messages reachable
 * from the kinds this server decodes. Notation is described in ./field-spec.ts.
 */
import type { SchemaPackage } from './field-spec.js';

/** AUTOSCALING_V1 lists the autoscaling/v1 messages by name, in the notation of field-spec.ts. */
export const AUTOSCALING_V1: SchemaPackage = {
  pkg: 'autoscalingv1',
  apiVersion: 'autoscaling/v1',
  kinds: ['HorizontalPodAutoscaler', 'Scale'],
  messages: {
    CrossVersionObjectReference: 'kind=1:string! name=2:string! apiVersion=3:string',
    HorizontalPodAutoscaler:
      'metadata=1:meta.ObjectMeta spec=2:HorizontalPodAutoscalerSpec status=3:HorizontalPodAutoscalerStatus',
    HorizontalPodAutoscalerSpec:
      'scaleTargetRef=1:CrossVersionObjectReference! minReplicas=2:int32? maxReplicas=3:int32! ' +
      'targetCPUUtilizationPercentage=4:int32?',
    HorizontalPodAutoscalerStatus:
      'observedGeneration=1:int64? lastScaleTime=2:time? currentReplicas=3:int32! desiredReplicas=4:int32! ' +
      'currentCPUUtilizationPercentage=5:int32?',
    Scale: 'metadata=1:meta.ObjectMeta spec=2:ScaleSpec status=3:ScaleStatus',
    ScaleSpec: 'replicas=1:int32',
    ScaleStatus: 'replicas=1:int32! selector=2:string',
  },
};
