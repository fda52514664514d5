// SPDX-License-Identifier: Apache-2.0
/**
 * Protobuf field table of policy/v1 (Kubernetes 1.32): only the messages reachable
 * from the kinds this server decodes. Notation is described in ./field-spec.ts.
 */
import type { SchemaPackage } from './field-spec.js';

/** POLICY_V1 lists the policy/v1 messages by name, in the notation of field-spec.ts. */
export const POLICY_V1: SchemaPackage = {
  pkg: 'policy',
  apiVersion: 'policy/v1',
  kinds: ['PodDisruptionBudget', 'Eviction'],
  messages: {
    Eviction: 'metadata=1:meta.ObjectMeta deleteOptions=2:meta.DeleteOptions?',
    PodDisruptionBudget:
      'metadata=1:meta.ObjectMeta spec=2:PodDisruptionBudgetSpec status=3:PodDisruptionBudgetStatus',
    PodDisruptionBudgetSpec:
      'minAvailable=1:intorstring? selector=2:meta.LabelSelector? maxUnavailable=3:intorstring? ' +
      'unhealthyPodEvictionPolicy=4:string?',
    PodDisruptionBudgetStatus:
      'observedGeneration=1:int64 disruptedPods=2:{time} disruptionsAllowed=3:int32! currentHealthy=4:int32! ' +
      'desiredHealthy=5:int32! expectedPods=6:int32! conditions=7:[]meta.Condition',
  },
};
