// SPDX-License-Identifier: Apache-2.0
/**
 * Protobuf field table of scheduling.k8s.io/v1 (Kubernetes 1.32): only the messages reachable
 * from the kinds this server decodes. Notation is described in ./field-spec.ts.
 */
import type { SchemaPackage } from './field-spec.js';

/** SCHEDULING_V1 lists the scheduling.k8s.io/v1 messages by name, in the notation of field-spec.ts. */
export const SCHEDULING_V1: SchemaPackage = {
  pkg: 'scheduling',
  apiVersion: 'scheduling.k8s.io/v1',
  kinds: ['PriorityClass'],
  messages: {
    PriorityClass:
      'metadata=1:meta.ObjectMeta value=2:int32! globalDefault=3:bool description=4:string ' +
      'preemptionPolicy=5:string?',
  },
};
