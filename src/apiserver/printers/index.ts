// SPDX-License-Identifier: Apache-2.0
/**
 * Server-side printing (`kubectl get` tables). tableConvertorFor picks the
 * columns and cells of a kind, as upstream's printers.go registers them;
 * toTable wraps rows into the meta.k8s.io Table the client asked for. Kinds
 * without a printer upstream (Role, ClusterRole, LimitRange, anything new)
 * get the default NAME / CREATED AT table.
 */
import type { TableConvertor } from './table.js';
import { podTableConvertor } from './pod-printer.js';
import {
  controllerRevisionTableConvertor,
  cronJobTableConvertor,
  daemonSetTableConvertor,
  deploymentTableConvertor,
  jobTableConvertor,
  replicaSetTableConvertor,
  replicationControllerTableConvertor,
  statefulSetTableConvertor,
} from './workload-printers.js';
import {
  endpointSliceTableConvertor,
  endpointsTableConvertor,
  ingressClassTableConvertor,
  ingressTableConvertor,
  networkPolicyTableConvertor,
  serviceTableConvertor,
} from './network-printers.js';
import {
  configMapTableConvertor,
  leaseTableConvertor,
  namespaceTableConvertor,
  podDisruptionBudgetTableConvertor,
  priorityClassTableConvertor,
  resourceQuotaTableConvertor,
  secretTableConvertor,
  serviceAccountTableConvertor,
} from './config-printers.js';
import { nodeTableConvertor } from './node-printer.js';
import { eventTableConvertor } from './event-printer.js';
import { horizontalPodAutoscalerTableConvertor } from './autoscaling-printer.js';
import { clusterRoleBindingTableConvertor, roleBindingTableConvertor } from './rbac-printers.js';
import { persistentVolumeClaimTableConvertor, persistentVolumeTableConvertor, storageClassTableConvertor } from './storage-printers.js';
import { defaultTableConvertor } from './default-printer.js';
import { certificateSigningRequestTableConvertor } from './certificates-printer.js';

export type { TableConvertor, TableColumnDefinition, TableCell } from './table.js';
export type { TableRowCondition, RowConditionsConvertor } from './row-conditions.js';
export { toTable, parseIncludeObject } from './to-table.js';
export type { Table, TableRow, PartialObjectMetadata, ToTableOptions, IncludeObject, TableApiVersion } from './to-table.js';
export { defaultTableConvertor } from './default-printer.js';
export { humanDuration } from './duration.js';

/** Printers by `group/Kind`; every served version of a kind prints alike, as upstream prints the internal type. */
const byGroupKind = new Map<string, TableConvertor>([
  ['/Pod', podTableConvertor],
  ['/Service', serviceTableConvertor],
  ['/Endpoints', endpointsTableConvertor],
  ['/ConfigMap', configMapTableConvertor],
  ['/Secret', secretTableConvertor],
  ['/ServiceAccount', serviceAccountTableConvertor],
  ['/Namespace', namespaceTableConvertor],
  ['/Node', nodeTableConvertor],
  ['/Event', eventTableConvertor],
  ['/PersistentVolume', persistentVolumeTableConvertor],
  ['/PersistentVolumeClaim', persistentVolumeClaimTableConvertor],
  ['/ResourceQuota', resourceQuotaTableConvertor],
  ['/ReplicationController', replicationControllerTableConvertor],
  ['apps/Deployment', deploymentTableConvertor],
  ['apps/ReplicaSet', replicaSetTableConvertor],
  ['apps/StatefulSet', statefulSetTableConvertor],
  ['apps/DaemonSet', daemonSetTableConvertor],
  ['apps/ControllerRevision', controllerRevisionTableConvertor],
  ['batch/Job', jobTableConvertor],
  ['batch/CronJob', cronJobTableConvertor],
  ['networking.k8s.io/Ingress', ingressTableConvertor],
  ['networking.k8s.io/IngressClass', ingressClassTableConvertor],
  ['networking.k8s.io/NetworkPolicy', networkPolicyTableConvertor],
  ['autoscaling/HorizontalPodAutoscaler', horizontalPodAutoscalerTableConvertor],
  ['coordination.k8s.io/Lease', leaseTableConvertor],
  ['certificates.k8s.io/CertificateSigningRequest', certificateSigningRequestTableConvertor],
  ['discovery.k8s.io/EndpointSlice', endpointSliceTableConvertor],
  ['events.k8s.io/Event', eventTableConvertor],
  ['storage.k8s.io/StorageClass', storageClassTableConvertor],
  ['rbac.authorization.k8s.io/RoleBinding', roleBindingTableConvertor],
  ['rbac.authorization.k8s.io/ClusterRoleBinding', clusterRoleBindingTableConvertor],
  ['policy/PodDisruptionBudget', podDisruptionBudgetTableConvertor],
  ['scheduling.k8s.io/PriorityClass', priorityClassTableConvertor],
]);

/** tableConvertorFor returns the printer of a group ('' for core) and kind, or the default NAME / CREATED AT one. */
export function tableConvertorFor(group: string, kind: string): TableConvertor {
  return byGroupKind.get(`${group}/${kind}`) ?? defaultTableConvertor;
}

/** hasPrinter tells whether a kind has its own printer (false means the default table). */
export function hasPrinter(group: string, kind: string): boolean {
  return byGroupKind.has(`${group}/${kind}`);
}
