// SPDX-License-Identifier: Apache-2.0
/**
 * Protobuf field table of meta.k8s.io/v1 (Kubernetes 1.32): only the messages reachable
 * from the kinds this server decodes. Notation is described in ./field-spec.ts.
 */
import type { SchemaPackage } from './field-spec.js';

/** META_V1 lists the meta.k8s.io/v1 messages by name, in the notation of field-spec.ts. */
export const META_V1: SchemaPackage = {
  pkg: 'meta',
  apiVersion: 'meta.k8s.io/v1',
  kinds: ['DeleteOptions'],
  messages: {
    Condition:
      'type=1:string! status=2:string! observedGeneration=3:int64 lastTransitionTime=4:time! ' +
      'reason=5:string! message=6:string!',
    DeleteOptions:
      'gracePeriodSeconds=1:int64? preconditions=2:Preconditions? orphanDependents=3:bool? ' +
      'propagationPolicy=4:string? dryRun=5:[]string ' +
      'ignoreStoreReadErrorWithClusterBreakingPotential=6:bool?',
    FieldSelectorRequirement: 'key=1:string! operator=2:string! values=3:[]string',
    LabelSelector: 'matchLabels=1:{string} matchExpressions=2:[]LabelSelectorRequirement',
    LabelSelectorRequirement: 'key=1:string! operator=2:string! values=3:[]string',
    ManagedFieldsEntry:
      'manager=1:string operation=2:string apiVersion=3:string time=4:time? fieldsType=6:string ' +
      'fieldsV1=7:json? subresource=8:string',
    ObjectMeta:
      'name=1:string generateName=2:string namespace=3:string selfLink=4:string uid=5:string ' +
      'resourceVersion=6:string generation=7:int64 creationTimestamp=8:time deletionTimestamp=9:time? ' +
      'deletionGracePeriodSeconds=10:int64? labels=11:{string} annotations=12:{string} ' +
      'ownerReferences=13:[]OwnerReference finalizers=14:[]string managedFields=17:[]ManagedFieldsEntry',
    OwnerReference:
      'apiVersion=5:string! kind=1:string! name=3:string! uid=4:string! controller=6:bool? ' +
      'blockOwnerDeletion=7:bool?',
    Preconditions: 'uid=1:string? resourceVersion=2:string?',
  },
};
