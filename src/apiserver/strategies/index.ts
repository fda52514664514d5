// SPDX-License-Identifier: Apache-2.0
/**
 * Per-kind strategies: what each served kind adds to the generic create and
 * update pipeline (defaults, validation, update rules), as upstream's
 * `pkg/registry/<group>/<kind>/strategy.go` with `pkg/apis/*` defaults and
 * validation. strategyFor is the one entry point; kinds with nothing special
 * get an empty strategy.
 */
import type { ResourceStrategy } from '../strategy.js';
import { podStrategy } from './pod.js';
import { deploymentStrategy } from './deployment.js';
import { replicaSetStrategy, replicationControllerStrategy } from './replica-set.js';
import { statefulSetStrategy } from './stateful-set.js';
import { daemonSetStrategy } from './daemon-set.js';
import { jobStrategy } from './job.js';
import { cronJobStrategy } from './cron-job.js';
import { serviceStrategy } from './service.js';
import { configMapStrategy } from './config-map.js';
import { secretStrategy } from './secret.js';
import { namespaceStrategy } from './namespace.js';
import { nodeStrategy } from './node.js';
import { persistentVolumeStrategy } from './persistent-volume.js';
import { persistentVolumeClaimStrategy } from './persistent-volume-claim.js';
import { ingressClassStrategy, ingressStrategy } from './ingress.js';
import { networkPolicyStrategy } from './network-policy.js';
import { horizontalPodAutoscalerStrategy } from './horizontal-pod-autoscaler.js';
import { clusterRoleBindingStrategy, clusterRoleStrategy, roleBindingStrategy, roleStrategyNamespaced } from './rbac.js';
import { leaseStrategy } from './lease.js';
import { endpointSliceStrategy, endpointsStrategy } from './endpoints.js';
import { eventStrategy } from './event.js';
import { storageClassStrategy } from './storage-class.js';
import { podDisruptionBudgetStrategy } from './pod-disruption-budget.js';
import { priorityClassStrategy } from './priority-class.js';
import { serviceAccountStrategy } from './service-account.js';
import { limitRangeStrategy } from './limit-range.js';
import { resourceQuotaStrategy } from './resource-quota.js';
import { controllerRevisionStrategy } from './controller-revision.js';
import { certificateSigningRequestStrategy } from './certificate-signing-request.js';

export { nameRuleFor, validateObjectMeta } from '../../api/validation/object-meta.js';
export type { NameRule, ValidateObjectMetaOptions } from '../../api/validation/object-meta.js';
export { validateNodePortRange, DEFAULT_NODE_PORT_RANGE, type NodePortRange } from './service.js';
export { podQOSClass } from './pod.js';
export { JOB_LABELS } from './job.js';

const strategies = new Map<string, ResourceStrategy>([
  ['/Pod', podStrategy],
  ['/Service', serviceStrategy],
  ['/Endpoints', endpointsStrategy],
  ['/ConfigMap', configMapStrategy],
  ['/Secret', secretStrategy],
  ['/ServiceAccount', serviceAccountStrategy],
  ['/Namespace', namespaceStrategy],
  ['/Node', nodeStrategy],
  ['/Event', eventStrategy],
  ['/PersistentVolume', persistentVolumeStrategy],
  ['/PersistentVolumeClaim', persistentVolumeClaimStrategy],
  ['/ResourceQuota', resourceQuotaStrategy],
  ['/LimitRange', limitRangeStrategy],
  ['/ReplicationController', replicationControllerStrategy],
  ['apps/Deployment', deploymentStrategy],
  ['apps/ReplicaSet', replicaSetStrategy],
  ['apps/StatefulSet', statefulSetStrategy],
  ['apps/DaemonSet', daemonSetStrategy],
  ['apps/ControllerRevision', controllerRevisionStrategy],
  ['batch/Job', jobStrategy],
  ['batch/CronJob', cronJobStrategy],
  ['networking.k8s.io/Ingress', ingressStrategy],
  ['networking.k8s.io/IngressClass', ingressClassStrategy],
  ['networking.k8s.io/NetworkPolicy', networkPolicyStrategy],
  ['autoscaling/HorizontalPodAutoscaler', horizontalPodAutoscalerStrategy],
  ['coordination.k8s.io/Lease', leaseStrategy],
  ['certificates.k8s.io/CertificateSigningRequest', certificateSigningRequestStrategy],
  ['discovery.k8s.io/EndpointSlice', endpointSliceStrategy],
  ['events.k8s.io/Event', eventStrategy],
  ['storage.k8s.io/StorageClass', storageClassStrategy],
  ['rbac.authorization.k8s.io/Role', roleStrategyNamespaced],
  ['rbac.authorization.k8s.io/ClusterRole', clusterRoleStrategy],
  ['rbac.authorization.k8s.io/RoleBinding', roleBindingStrategy],
  ['rbac.authorization.k8s.io/ClusterRoleBinding', clusterRoleBindingStrategy],
  ['policy/PodDisruptionBudget', podDisruptionBudgetStrategy],
  ['scheduling.k8s.io/PriorityClass', priorityClassStrategy],
]);

const emptyStrategy: ResourceStrategy = Object.freeze({});

/** strategyFor returns the strategy of a kind; an empty one for kinds with nothing particular. */
export function strategyFor(group: string, kind: string): ResourceStrategy {
  return strategies.get(`${group}/${kind}`) ?? emptyStrategy;
}
