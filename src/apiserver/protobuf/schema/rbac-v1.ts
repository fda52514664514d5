// SPDX-License-Identifier: Apache-2.0
/**
 * Protobuf field table of rbac.authorization.k8s.io/v1 (Kubernetes 1.32): only the messages reachable
 * from the kinds this server decodes. Notation is described in ./field-spec.ts.
 */
import type { SchemaPackage } from './field-spec.js';

/** RBAC_V1 lists the rbac.authorization.k8s.io/v1 messages by name, in the notation of field-spec.ts. */
export const RBAC_V1: SchemaPackage = {
  pkg: 'rbac',
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kinds: ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'],
  messages: {
    AggregationRule: 'clusterRoleSelectors=1:[]meta.LabelSelector',
    ClusterRole: 'metadata=1:meta.ObjectMeta rules=2:[]PolicyRule aggregationRule=3:AggregationRule?',
    ClusterRoleBinding: 'metadata=1:meta.ObjectMeta subjects=2:[]Subject roleRef=3:RoleRef!',
    PolicyRule:
      'verbs=1:[]string apiGroups=2:[]string resources=3:[]string resourceNames=4:[]string ' +
      'nonResourceURLs=5:[]string',
    Role: 'metadata=1:meta.ObjectMeta rules=2:[]PolicyRule',
    RoleBinding: 'metadata=1:meta.ObjectMeta subjects=2:[]Subject roleRef=3:RoleRef!',
    RoleRef: 'apiGroup=1:string! kind=2:string! name=3:string!',
    Subject: 'kind=1:string! apiGroup=2:string name=3:string! namespace=4:string',
  },
};
