// SPDX-License-Identifier: Apache-2.0
/** The printers of the built-in kinds (upstream's printers.go registrations), gathered for builtin.ts's table. */
export { podTableConvertor } from '../printers/pod-printer.js';
export {
  controllerRevisionTableConvertor,
  cronJobTableConvertor,
  daemonSetTableConvertor,
  deploymentTableConvertor,
  jobTableConvertor,
  podTemplateTableConvertor,
  replicaSetTableConvertor,
  replicationControllerTableConvertor,
  statefulSetTableConvertor,
} from '../printers/workload-printers.js';
export {
  endpointSliceTableConvertor,
  endpointsTableConvertor,
  ingressClassTableConvertor,
  ingressTableConvertor,
  networkPolicyTableConvertor,
  serviceTableConvertor,
} from '../printers/network-printers.js';
export {
  configMapTableConvertor,
  leaseTableConvertor,
  namespaceTableConvertor,
  podDisruptionBudgetTableConvertor,
  priorityClassTableConvertor,
  resourceQuotaTableConvertor,
  secretTableConvertor,
  serviceAccountTableConvertor,
} from '../printers/config-printers.js';
export { nodeTableConvertor } from '../printers/node-printer.js';
export { eventTableConvertor } from '../printers/event-printer.js';
export { horizontalPodAutoscalerTableConvertor } from '../printers/autoscaling-printer.js';
export { clusterRoleBindingTableConvertor, roleBindingTableConvertor } from '../printers/rbac-printers.js';
export { persistentVolumeClaimTableConvertor, persistentVolumeTableConvertor, storageClassTableConvertor } from '../printers/storage-printers.js';
export { certificateSigningRequestTableConvertor } from '../printers/certificates-printer.js';
export { csiDriverTableConvertor, csiNodeTableConvertor, volumeAttachmentTableConvertor } from '../printers/csi-printers.js';
export { runtimeClassTableConvertor } from '../printers/runtime-class-printer.js';
