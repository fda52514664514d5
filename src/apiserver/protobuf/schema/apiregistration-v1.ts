// SPDX-License-Identifier: Apache-2.0
/**
 * Protobuf field table of apiregistration.k8s.io/v1 (kube-aggregator,
 * Kubernetes 1.32). Notation is described in ./field-spec.ts.
 */
import type { SchemaPackage } from './field-spec.js';

/** APIREGISTRATION_V1 lists the apiregistration.k8s.io/v1 messages by name, in the notation of field-spec.ts. */
export const APIREGISTRATION_V1: SchemaPackage = {
  pkg: 'apiregistration',
  apiVersion: 'apiregistration.k8s.io/v1',
  kinds: ['APIService'],
  messages: {
    APIService: 'metadata=1:meta.ObjectMeta spec=2:APIServiceSpec! status=3:APIServiceStatus',
    APIServiceCondition: 'type=1:string! status=2:string! lastTransitionTime=3:time reason=4:string message=5:string',
    APIServiceSpec:
      'service=1:ServiceReference? group=2:string version=3:string insecureSkipTLSVerify=4:bool caBundle=5:bytes ' +
      'groupPriorityMinimum=7:int32! versionPriority=8:int32!',
    APIServiceStatus: 'conditions=1:[]APIServiceCondition',
    ServiceReference: 'namespace=1:string name=2:string port=3:int32?',
  },
};
