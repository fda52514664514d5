// SPDX-License-Identifier: Apache-2.0
/**
 * Protobuf field table of node.k8s.io/v1 (Kubernetes 1.32): RuntimeClass and
 * the messages it holds. Notation is described in ./field-spec.ts.
 */
import type { SchemaPackage } from './field-spec.js';

/** NODE_V1 lists the node.k8s.io/v1 messages by name, in the notation of field-spec.ts. */
export const NODE_V1: SchemaPackage = {
  pkg: 'node',
  apiVersion: 'node.k8s.io/v1',
  kinds: ['RuntimeClass'],
  messages: {
    Overhead: 'podFixed=1:{quantity}',
    RuntimeClass: 'metadata=1:meta.ObjectMeta handler=2:string! overhead=3:Overhead? scheduling=4:Scheduling?',
    Scheduling: 'nodeSelector=1:{string} tolerations=2:[]core.Toleration',
  },
};
