// SPDX-License-Identifier: Apache-2.0
/**
 * What differs between ReplicaSets and ReplicationControllers for the one
 * controller that serves both (upstream runs replica_set.go for RCs through
 * a conversion shim): the resource, the owner reference's kind and the
 * selector's shape.
 */
import type { KubeObject, LabelSelector } from '../../api/index.js';
import { R, type ResourceRef } from '../../client/index.js';

/** ReplicaSetKind describes what differs between ReplicaSets and ReplicationControllers. */
export interface ReplicaSetKind {
  ref: ResourceRef;
  apiVersion: string;
  kind: string;
  controllerName: string;
  /** selector turns the object's selector into a metav1.LabelSelector (RCs use a plain map). */
  selector(obj: KubeObject): LabelSelector | undefined;
}

export const REPLICA_SET_KIND: ReplicaSetKind = {
  ref: R.replicasets,
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  controllerName: 'replicaset-controller',
  selector: (o) => (o.spec as { selector?: LabelSelector } | undefined)?.selector,
};

export const REPLICATION_CONTROLLER_KIND: ReplicaSetKind = {
  ref: R.replicationcontrollers,
  apiVersion: 'v1',
  kind: 'ReplicationController',
  controllerName: 'replication-controller',
  selector: (o) => {
    const s = (o.spec as { selector?: Record<string, string> } | undefined)?.selector;
    return s && Object.keys(s).length > 0 ? { matchLabels: s } : undefined;
  },
};
