// SPDX-License-Identifier: Apache-2.0
/**
 * Facts about API fields that `kubernetes-types` cannot express and that the
 * OpenAPI generator (scripts/gen-openapi.ts) adds to the schemas: integer
 * widths, strategic-merge keys and list/map semantics. Each row states what
 * upstream's Go struct tags say (`patchMergeKey`, `patchStrategy`,
 * `+listType`, `+listMapKey`, `+structType`); only fields that matter to
 * patching, apply and `kubectl explain` are listed.
 */

/**
 * INT64_FIELDS names the integer fields that upstream declares as int64.
 * Every other TypeScript `number` in the served types is an int32 upstream
 * (kubernetes-types only says `number`); none of the served kinds has a
 * floating-point field.
 */
export const INT64_FIELDS: ReadonlySet<string> = new Set([
  'activeDeadlineSeconds',
  'deletionGracePeriodSeconds',
  'expirationSeconds',
  'fsGroup',
  'generation',
  'gracePeriodSeconds',
  'observedGeneration',
  'remainingItemCount',
  'revision',
  'runAsGroup',
  'runAsUser',
  'seconds',
  'sizeBytes',
  'startingDeadlineSeconds',
  'supplementalGroups',
  'terminationGracePeriodSeconds',
  'tolerationSeconds',
]);

/** ListSemantics is how one list field merges under strategic merge patch and server-side apply. */
export interface ListSemantics {
  /** x-kubernetes-patch-merge-key: the item field that identifies an element. */
  mergeKey?: string;
  /** x-kubernetes-patch-strategy: `merge`, `retainKeys` or `merge,retainKeys`. */
  strategy?: string;
  /** x-kubernetes-list-type: `atomic`, `set` or `map`. */
  listType?: 'atomic' | 'set' | 'map';
  /** x-kubernetes-list-map-keys, for listType `map`. */
  mapKeys?: string[];
}

const byName: ListSemantics = { mergeKey: 'name', strategy: 'merge' };
const byNameMap: ListSemantics = { mergeKey: 'name', strategy: 'merge', listType: 'map', mapKeys: ['name'] };
const byType: ListSemantics = { mergeKey: 'type', strategy: 'merge' };
const byTypeMap: ListSemantics = { mergeKey: 'type', strategy: 'merge', listType: 'map', mapKeys: ['type'] };
const atomic: ListSemantics = { listType: 'atomic' };

/**
 * FIELD_SEMANTICS maps `<TypeName>.<field>` (the kubernetes-types interface
 * name) to its merge semantics, as upstream tags them.
 */
export const FIELD_SEMANTICS: Readonly<Record<string, ListSemantics>> = {
  // metadata
  'ObjectMeta.finalizers': { strategy: 'merge', listType: 'set' },
  'ObjectMeta.ownerReferences': { mergeKey: 'uid', strategy: 'merge', listType: 'map', mapKeys: ['uid'] },
  'ObjectMeta.managedFields': atomic,
  'LabelSelector.matchExpressions': atomic,
  'LabelSelectorRequirement.values': atomic,
  'StatusDetails.causes': atomic,
  // pods
  'PodSpec.containers': byName,
  'PodSpec.initContainers': byName,
  'PodSpec.ephemeralContainers': byName,
  'PodSpec.volumes': { mergeKey: 'name', strategy: 'merge,retainKeys' },
  'PodSpec.imagePullSecrets': byName,
  'PodSpec.hostAliases': { mergeKey: 'ip', strategy: 'merge', listType: 'map', mapKeys: ['ip'] },
  'PodSpec.tolerations': atomic,
  'Scheduling.tolerations': atomic,
  'PodSpec.topologySpreadConstraints': {
    mergeKey: 'topologyKey', strategy: 'merge', listType: 'map', mapKeys: ['topologyKey', 'whenUnsatisfiable'],
  },
  'PodSpec.schedulingGates': byNameMap,
  'PodSpec.resourceClaims': { mergeKey: 'name', strategy: 'merge,retainKeys', listType: 'map', mapKeys: ['name'] },
  'PodSecurityContext.supplementalGroups': atomic,
  'PodSecurityContext.sysctls': atomic,
  'PodStatus.conditions': byType,
  'PodStatus.podIPs': { mergeKey: 'ip', strategy: 'merge' },
  'PodStatus.hostIPs': { mergeKey: 'ip', strategy: 'merge', listType: 'atomic' },
  'PodStatus.containerStatuses': atomic,
  'PodStatus.initContainerStatuses': atomic,
  'PodStatus.ephemeralContainerStatuses': atomic,
  'Container.ports': { mergeKey: 'containerPort', strategy: 'merge', listType: 'map', mapKeys: ['containerPort', 'protocol'] },
  'EphemeralContainer.ports': { mergeKey: 'containerPort', strategy: 'merge', listType: 'map', mapKeys: ['containerPort', 'protocol'] },
  'Container.env': byName,
  'EphemeralContainer.env': byName,
  'Container.envFrom': atomic,
  'Container.volumeMounts': { mergeKey: 'mountPath', strategy: 'merge' },
  'EphemeralContainer.volumeMounts': { mergeKey: 'mountPath', strategy: 'merge' },
  'Container.volumeDevices': { mergeKey: 'devicePath', strategy: 'merge' },
  'EphemeralContainer.volumeDevices': { mergeKey: 'devicePath', strategy: 'merge' },
  'Container.command': atomic,
  'Container.args': atomic,
  'Container.resizePolicy': atomic,
  'EphemeralContainer.command': atomic,
  'EphemeralContainer.args': atomic,
  'ResourceRequirements.claims': { listType: 'map', mapKeys: ['name'] },
  'Capabilities.add': atomic,
  'Capabilities.drop': atomic,
  'ExecAction.command': atomic,
  'HTTPGetAction.httpHeaders': atomic,
  'NodeSelector.nodeSelectorTerms': atomic,
  'NodeSelectorTerm.matchExpressions': atomic,
  'NodeSelectorTerm.matchFields': atomic,
  'NodeSelectorRequirement.values': atomic,
  'NodeAffinity.preferredDuringSchedulingIgnoredDuringExecution': atomic,
  'PodAffinity.requiredDuringSchedulingIgnoredDuringExecution': atomic,
  'PodAffinity.preferredDuringSchedulingIgnoredDuringExecution': atomic,
  'PodAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution': atomic,
  'PodAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution': atomic,
  'PodAffinityTerm.namespaces': atomic,
  'PodAffinityTerm.matchLabelKeys': atomic,
  'PodAffinityTerm.mismatchLabelKeys': atomic,
  'TopologySpreadConstraint.matchLabelKeys': atomic,
  'ConfigMapVolumeSource.items': atomic,
  'SecretVolumeSource.items': atomic,
  'ProjectedVolumeSource.sources': atomic,
  'DownwardAPIVolumeSource.items': atomic,
  // workloads
  'DeploymentStatus.conditions': byType,
  'ReplicaSetStatus.conditions': byType,
  'StatefulSetStatus.conditions': byType,
  'DaemonSetStatus.conditions': byType,
  'ReplicationControllerStatus.conditions': byType,
  'StatefulSetSpec.volumeClaimTemplates': atomic,
  'JobStatus.conditions': { mergeKey: 'type', strategy: 'merge', listType: 'atomic' },
  'CronJobStatus.active': atomic,
  'PodFailurePolicy.rules': atomic,
  'SuccessPolicy.rules': atomic,
  // services and networking
  'ServiceSpec.ports': { mergeKey: 'port', strategy: 'merge', listType: 'map', mapKeys: ['port', 'protocol'] },
  'ServiceSpec.clusterIPs': atomic,
  'ServiceSpec.externalIPs': atomic,
  'ServiceSpec.ipFamilies': atomic,
  'ServiceSpec.loadBalancerSourceRanges': atomic,
  'ServiceStatus.conditions': byTypeMap,
  'LoadBalancerStatus.ingress': atomic,
  'LoadBalancerIngress.ports': atomic,
  'Endpoints.subsets': atomic,
  'EndpointSubset.addresses': atomic,
  'EndpointSubset.notReadyAddresses': atomic,
  'EndpointSubset.ports': atomic,
  'EndpointSlice.endpoints': atomic,
  'EndpointSlice.ports': atomic,
  'Endpoint.addresses': { listType: 'set' },
  'IngressSpec.rules': atomic,
  'IngressSpec.tls': atomic,
  'IngressTLS.hosts': atomic,
  'HTTPIngressRuleValue.paths': atomic,
  'NetworkPolicySpec.ingress': atomic,
  'NetworkPolicySpec.egress': atomic,
  'NetworkPolicySpec.policyTypes': atomic,
  'NetworkPolicyIngressRule.ports': atomic,
  'NetworkPolicyIngressRule.from': atomic,
  'NetworkPolicyEgressRule.ports': atomic,
  'NetworkPolicyEgressRule.to': atomic,
  // nodes, namespaces, storage
  'NodeSpec.podCIDRs': { strategy: 'merge', listType: 'set' },
  'NodeSpec.taints': atomic,
  'NodeStatus.conditions': byType,
  'NodeStatus.addresses': { mergeKey: 'type', strategy: 'merge', listType: 'map', mapKeys: ['type'] },
  'NodeStatus.images': atomic,
  'NodeStatus.volumesInUse': atomic,
  'NodeStatus.volumesAttached': atomic,
  'NamespaceStatus.conditions': byTypeMap,
  'NamespaceSpec.finalizers': atomic,
  'PersistentVolumeClaimSpec.accessModes': atomic,
  'PersistentVolumeClaimStatus.conditions': byTypeMap,
  'PersistentVolumeSpec.accessModes': atomic,
  'PersistentVolumeSpec.mountOptions': atomic,
  'StorageClass.mountOptions': atomic,
  'StorageClass.allowedTopologies': atomic,
  'CSIDriverSpec.volumeLifecycleModes': { listType: 'set' },
  'CSIDriverSpec.tokenRequests': atomic,
  'CSINodeSpec.drivers': byNameMap,
  'CSINodeDriver.topologyKeys': atomic,
  'ResourceQuotaSpec.scopes': atomic,
  'LimitRangeSpec.limits': atomic,
  'ServiceAccount.secrets': { mergeKey: 'name', strategy: 'merge' },
  'ServiceAccount.imagePullSecrets': atomic,
  // autoscaling, policy, rbac
  'HorizontalPodAutoscalerSpec.metrics': atomic,
  'HorizontalPodAutoscalerStatus.conditions': byTypeMap,
  'HorizontalPodAutoscalerStatus.currentMetrics': atomic,
  'HPAScalingRules.policies': atomic,
  'PodDisruptionBudgetStatus.conditions': byTypeMap,
  'PolicyRule.verbs': atomic,
  'PolicyRule.apiGroups': atomic,
  'PolicyRule.resources': atomic,
  'PolicyRule.resourceNames': atomic,
  'PolicyRule.nonResourceURLs': atomic,
  'Role.rules': atomic,
  'ClusterRole.rules': atomic,
  'AggregationRule.clusterRoleSelectors': atomic,
  'RoleBinding.subjects': atomic,
  'ClusterRoleBinding.subjects': atomic,
};

/**
 * ATOMIC_STRUCTS lists the types upstream tags `+structType=atomic`
 * (`x-kubernetes-map-type: atomic`): apply replaces them whole.
 */
export const ATOMIC_STRUCTS: ReadonlySet<string> = new Set([
  'LabelSelector',
  'LocalObjectReference',
  'ObjectReference',
  'TypedLocalObjectReference',
  'ObjectFieldSelector',
  'ResourceFieldSelector',
  'ConfigMapKeySelector',
  'SecretKeySelector',
  'SecretReference',
  'NodeSelector',
  'NodeSelectorTerm',
  'TopologySelectorTerm',
  'RoleRef',
]);

/** RETAIN_KEYS_FIELDS are struct fields whose patch strategy is `retainKeys` (one-of unions cleared on switch). */
export const RETAIN_KEYS_FIELDS: ReadonlySet<string> = new Set(['DeploymentSpec.strategy']);
