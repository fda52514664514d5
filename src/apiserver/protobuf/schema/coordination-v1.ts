// SPDX-License-Identifier: Apache-2.0
/**
 * Protobuf field table of coordination.k8s.io/v1 (Kubernetes 1.32): only the messages reachable
 * from the kinds this server decodes. Notation is described in ./field-spec.ts.
 */
import type { SchemaPackage } from './field-spec.js';

/** COORDINATION_V1 lists the coordination.k8s.io/v1 messages by name, in the notation of field-spec.ts. */
export const COORDINATION_V1: SchemaPackage = {
  pkg: 'coordination',
  apiVersion: 'coordination.k8s.io/v1',
  kinds: ['Lease'],
  messages: {
    Lease: 'metadata=1:meta.ObjectMeta spec=2:LeaseSpec',
    LeaseSpec:
      'holderIdentity=1:string? leaseDurationSeconds=2:int32? acquireTime=3:microtime? ' +
      'renewTime=4:microtime? leaseTransitions=5:int32? strategy=6:string? preferredHolder=7:string?',
  },
};
