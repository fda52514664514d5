// SPDX-License-Identifier: Apache-2.0
/**
 * The built-in definitions: each row of src/api/resources.ts joined with what
 * its kind does on the server. KINDS is the one place a kind's strategy,
 * printer and registry behaviour are declared; a kind without an entry gets
 * the empty strategy and upstream's default NAME / CREATED AT table. Every
 * served version of a kind shares its entry, as upstream's strategies and
 * printers work on the internal type.
 */
import type { KubeObject } from '../../api/index.js';
import { RESOURCES, type ResourceInfo } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import type { TableConvertor } from '../printers/table.js';
import { defaultTableConvertor } from '../printers/default-printer.js';
import { hpaV1, eventsV1 } from '../registry/converters.js';
import type { OpenAPIModel, ResourceDefinition, VersionConverter } from './definition.js';
import { apiServiceStrategy, apiServiceTableConvertor, API_SERVICE_OPENAPI } from '../aggregator/apiservice-kind.js';
import * as s from './builtin-strategies.js';
import * as p from './builtin-printers.js';
import { mutatingWebhookConfigurationStrategy, validatingWebhookConfigurationStrategy } from '../admission/webhook/configuration.js';
import { validatingAdmissionPolicyBindingStrategy, validatingAdmissionPolicyStrategy } from '../admission/policy/policy-validation.js';
import { validatingAdmissionPolicyBindingTableConvertor, validatingAdmissionPolicyTableConvertor, webhookConfigurationTableConvertor } from '../admission/printers.js';

/** KindEntry is what a built-in kind adds to its table row. */
interface KindEntry {
  strategy?: ResourceStrategy;
  printer?: TableConvertor;
  /** generation: metadata.generation tracks spec changes. */
  generation?: true;
  gracePeriod?: ResourceDefinition['gracePeriod'];
  keepsStatusOnCreate?: true;
  specFinalizers?: ResourceDefinition['specFinalizers'];
  returnsDeletedObject?: true;
  /** openAPI is the schema of a kind kubernetes-types does not describe (APIService). */
  openAPI?: OpenAPIModel;
}

/** KINDS by `group/Kind` ('' is the core group). */
const KINDS: Record<string, KindEntry> = {
  '/Pod': { strategy: s.podStrategy, printer: p.podTableConvertor, gracePeriod: podGracePeriod, returnsDeletedObject: true },
  '/Service': { strategy: s.serviceStrategy, printer: p.serviceTableConvertor, generation: true, returnsDeletedObject: true },
  '/Endpoints': { strategy: s.endpointsStrategy, printer: p.endpointsTableConvertor },
  '/ConfigMap': { strategy: s.configMapStrategy, printer: p.configMapTableConvertor },
  '/Secret': { strategy: s.secretStrategy, printer: p.secretTableConvertor },
  '/ServiceAccount': { strategy: s.serviceAccountStrategy, printer: p.serviceAccountTableConvertor, returnsDeletedObject: true },
  '/Namespace': { strategy: s.namespaceStrategy, printer: p.namespaceTableConvertor, specFinalizers: namespaceSpecFinalizers, returnsDeletedObject: true },
  '/Node': { strategy: s.nodeStrategy, printer: p.nodeTableConvertor, keepsStatusOnCreate: true },
  '/Event': { strategy: s.eventStrategy, printer: p.eventTableConvertor },
  '/PersistentVolume': { strategy: s.persistentVolumeStrategy, printer: p.persistentVolumeTableConvertor, generation: true },
  '/PersistentVolumeClaim': { strategy: s.persistentVolumeClaimStrategy, printer: p.persistentVolumeClaimTableConvertor, generation: true },
  '/ResourceQuota': { strategy: s.resourceQuotaStrategy, printer: p.resourceQuotaTableConvertor },
  '/LimitRange': { strategy: s.limitRangeStrategy },
  '/PodTemplate': { strategy: s.podTemplateStrategy, printer: p.podTemplateTableConvertor, generation: true },
  '/ReplicationController': { strategy: s.replicationControllerStrategy, printer: p.replicationControllerTableConvertor, generation: true },
  'apps/Deployment': { strategy: s.deploymentStrategy, printer: p.deploymentTableConvertor, generation: true },
  'apps/ReplicaSet': { strategy: s.replicaSetStrategy, printer: p.replicaSetTableConvertor, generation: true },
  'apps/StatefulSet': { strategy: s.statefulSetStrategy, printer: p.statefulSetTableConvertor, generation: true },
  'apps/DaemonSet': { strategy: s.daemonSetStrategy, printer: p.daemonSetTableConvertor, generation: true },
  'apps/ControllerRevision': { strategy: s.controllerRevisionStrategy, printer: p.controllerRevisionTableConvertor },
  'batch/Job': { strategy: s.jobStrategy, printer: p.jobTableConvertor, generation: true },
  'batch/CronJob': { strategy: s.cronJobStrategy, printer: p.cronJobTableConvertor, generation: true },
  'networking.k8s.io/Ingress': { strategy: s.ingressStrategy, printer: p.ingressTableConvertor, generation: true },
  'networking.k8s.io/IngressClass': { strategy: s.ingressClassStrategy, printer: p.ingressClassTableConvertor, generation: true },
  'networking.k8s.io/NetworkPolicy': { strategy: s.networkPolicyStrategy, printer: p.networkPolicyTableConvertor, generation: true },
  'autoscaling/HorizontalPodAutoscaler': { strategy: s.horizontalPodAutoscalerStrategy, printer: p.horizontalPodAutoscalerTableConvertor, generation: true },
  'coordination.k8s.io/Lease': { strategy: s.leaseStrategy, printer: p.leaseTableConvertor },
  'certificates.k8s.io/CertificateSigningRequest': { strategy: s.certificateSigningRequestStrategy, printer: p.certificateSigningRequestTableConvertor },
  'discovery.k8s.io/EndpointSlice': { strategy: s.endpointSliceStrategy, printer: p.endpointSliceTableConvertor },
  'events.k8s.io/Event': { strategy: s.eventStrategy, printer: p.eventTableConvertor },
  'storage.k8s.io/CSIDriver': { strategy: s.csiDriverStrategy, printer: p.csiDriverTableConvertor, generation: true, returnsDeletedObject: true },
  'storage.k8s.io/CSINode': { strategy: s.csiNodeStrategy, printer: p.csiNodeTableConvertor, returnsDeletedObject: true },
  // Upstream serves CSIStorageCapacity with the default NAME / CREATED AT table (rest.NewDefaultTableConvertor).
  'storage.k8s.io/CSIStorageCapacity': { strategy: s.csiStorageCapacityStrategy },
  'storage.k8s.io/VolumeAttachment': { strategy: s.volumeAttachmentStrategy, printer: p.volumeAttachmentTableConvertor, returnsDeletedObject: true },
  'storage.k8s.io/StorageClass': { strategy: s.storageClassStrategy, printer: p.storageClassTableConvertor, generation: true, returnsDeletedObject: true },
  'rbac.authorization.k8s.io/Role': { strategy: s.roleStrategyNamespaced },
  'rbac.authorization.k8s.io/ClusterRole': { strategy: s.clusterRoleStrategy },
  'rbac.authorization.k8s.io/RoleBinding': { strategy: s.roleBindingStrategy, printer: p.roleBindingTableConvertor },
  'rbac.authorization.k8s.io/ClusterRoleBinding': { strategy: s.clusterRoleBindingStrategy, printer: p.clusterRoleBindingTableConvertor },
  'policy/PodDisruptionBudget': { strategy: s.podDisruptionBudgetStrategy, printer: p.podDisruptionBudgetTableConvertor, generation: true },
  'scheduling.k8s.io/PriorityClass': { strategy: s.priorityClassStrategy, printer: p.priorityClassTableConvertor },
  'node.k8s.io/RuntimeClass': { strategy: s.runtimeClassStrategy, printer: p.runtimeClassTableConvertor },
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': { strategy: mutatingWebhookConfigurationStrategy, printer: webhookConfigurationTableConvertor, generation: true },
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': { strategy: validatingWebhookConfigurationStrategy, printer: webhookConfigurationTableConvertor, generation: true },
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': { strategy: validatingAdmissionPolicyStrategy, printer: validatingAdmissionPolicyTableConvertor, generation: true },
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding': { strategy: validatingAdmissionPolicyBindingStrategy, printer: validatingAdmissionPolicyBindingTableConvertor, generation: true },
  'apiregistration.k8s.io/APIService': { strategy: apiServiceStrategy, printer: apiServiceTableConvertor, openAPI: API_SERVICE_OPENAPI },
};

/** Served versions converted to and from another storage version. */
const CONVERTERS: Record<string, VersionConverter> = {
  'autoscaling/v1': hpaV1,
  'events.k8s.io/v1': eventsV1,
};

const EMPTY_STRATEGY: ResourceStrategy = Object.freeze({});

/** builtinKind returns what a built-in kind adds to its row (empty for kinds with nothing particular). */
export function builtinKind(group: string, kind: string): Readonly<KindEntry> {
  return KINDS[`${group}/${kind}`] ?? {};
}

/** builtinStrategy is the strategy of a built-in kind; an empty one for kinds with nothing particular. */
export function builtinStrategy(group: string, kind: string): ResourceStrategy {
  return builtinKind(group, kind).strategy ?? EMPTY_STRATEGY;
}

/** builtinPrinter is the printer of a built-in kind, or the default NAME / CREATED AT one. */
export function builtinPrinter(group: string, kind: string): TableConvertor {
  return builtinKind(group, kind).printer ?? defaultTableConvertor;
}

/** builtinDefinition joins one table row with its kind's entry. */
export function builtinDefinition(info: ResourceInfo): ResourceDefinition {
  const k = builtinKind(info.group, info.kind);
  return {
    info,
    strategy: k.strategy ?? EMPTY_STRATEGY,
    printer: k.printer ?? defaultTableConvertor,
    tracksGeneration: k.generation === true,
    gracePeriod: k.gracePeriod,
    keepsStatusOnCreate: k.keepsStatusOnCreate,
    specFinalizers: k.specFinalizers,
    returnsDeletedObject: k.returnsDeletedObject,
    converter: CONVERTERS[`${info.group}/${info.version}`],
    openAPI: k.openAPI,
  };
}

/** builtinDefinitions lists a definition per row of the resource table, in discovery order. */
export function builtinDefinitions(): ResourceDefinition[] {
  return RESOURCES.map(builtinDefinition);
}

/** Pod grace period as upstream's pod strategy CheckGracefulDelete computes it. */
function podGracePeriod(pod: KubeObject, requested: number | undefined): number {
  const spec = (pod.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (!spec.nodeName) return 0; // never scheduled: nothing to stop
  if (phase === 'Succeeded' || phase === 'Failed') return 0;
  return Math.max(0, requested ?? spec.terminationGracePeriodSeconds ?? 30);
}

/** Namespaces carry finalizers in spec too (`kubernetes`), which hold their deletion. */
function namespaceSpecFinalizers(ns: KubeObject): string[] {
  return (ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
}
