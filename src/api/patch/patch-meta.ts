// SPDX-License-Identifier: Apache-2.0
/**
 * Strategic-merge metadata of the served kinds: which lists merge by a key and
 * which fields carry a patch strategy. Upstream reads these from the Go struct
 * tags `patchStrategy:"merge" patchMergeKey:"name"` of k8s.io/api (core/v1,
 * apps/v1, batch/v1, policy/v1, autoscaling/v2 types.go) and of ObjectMeta in
 * k8s.io/apimachinery; this table restates them, shared sub-structures (pod
 * template, container) written once and reused.
 */
import type { FieldPatchMeta, PatchMeta } from '../../machinery/index.js';
import { apiVersionOf, lookupKind } from '../resources.js';

const nested = (schema: PatchMeta): FieldPatchMeta => ({ schema });
const mergeBy = (mergeKey: string, schema?: PatchMeta): FieldPatchMeta => ({ strategy: 'merge', mergeKey, schema });
const conditions: PatchMeta = { conditions: mergeBy('type') };

/** ObjectMeta: finalizers merge as a set, ownerReferences by uid. */
export const OBJECT_META: PatchMeta = {
  finalizers: { strategy: 'merge' },
  ownerReferences: mergeBy('uid'),
};

/** Container (and EphemeralContainer, which shares its list tags). */
const CONTAINER: PatchMeta = {
  ports: mergeBy('containerPort'),
  env: mergeBy('name'),
  volumeMounts: mergeBy('mountPath'),
  volumeDevices: mergeBy('devicePath'),
};

/** POD_SPEC is core/v1 PodSpec. */
export const POD_SPEC: PatchMeta = {
  volumes: { ...mergeBy('name'), retainKeys: true },
  initContainers: mergeBy('name', CONTAINER),
  containers: mergeBy('name', CONTAINER),
  ephemeralContainers: mergeBy('name', CONTAINER),
  imagePullSecrets: mergeBy('name'),
  hostAliases: mergeBy('ip'),
  topologySpreadConstraints: mergeBy('topologyKey'),
  schedulingGates: mergeBy('name'),
  resourceClaims: { ...mergeBy('name'), retainKeys: true },
};

const POD_STATUS: PatchMeta = {
  conditions: mergeBy('type'),
  podIPs: mergeBy('ip'),
  hostIPs: mergeBy('ip'),
  resourceClaimStatuses: { ...mergeBy('name'), retainKeys: true },
};

/** POD_TEMPLATE_SPEC is core/v1 PodTemplateSpec, embedded by every workload kind. */
export const POD_TEMPLATE_SPEC: PatchMeta = { metadata: nested(OBJECT_META), spec: nested(POD_SPEC) };

const JOB_SPEC: PatchMeta = { template: nested(POD_TEMPLATE_SPEC) };

/** kind builds the top-level metadata of a kind: ObjectMeta plus its spec and status tables. */
function kind(spec?: PatchMeta, status?: PatchMeta, extra?: PatchMeta): PatchMeta {
  const out: Record<string, FieldPatchMeta> = { metadata: nested(OBJECT_META), ...extra };
  if (spec) out.spec = nested(spec);
  if (status) out.status = nested(status);
  return out;
}

const workload = (extraSpec?: PatchMeta): PatchMeta => kind({ template: nested(POD_TEMPLATE_SPEC), ...extraSpec }, conditions);

/** Tables by `apiVersion/Kind`; kinds served but absent here get ObjectMeta only. */
const BY_KIND: Record<string, PatchMeta> = {
  'v1/Pod': kind(POD_SPEC, POD_STATUS),
  'v1/PodTemplate': kind(undefined, undefined, { template: nested(POD_TEMPLATE_SPEC) }),
  'v1/ReplicationController': workload(),
  'v1/Service': kind({ ports: mergeBy('port') }, conditions),
  'v1/ServiceAccount': kind(undefined, undefined, { secrets: mergeBy('name') }),
  'v1/Node': kind({ podCIDRs: { strategy: 'merge' } }, { conditions: mergeBy('type'), addresses: mergeBy('type') }),
  'v1/Namespace': kind(undefined, conditions),
  'v1/PersistentVolumeClaim': kind(undefined, conditions),
  'apps/v1/Deployment': workload({ strategy: { retainKeys: true } }),
  'apps/v1/ReplicaSet': workload(),
  'apps/v1/StatefulSet': workload(),
  'apps/v1/DaemonSet': workload(),
  'batch/v1/Job': kind(JOB_SPEC, conditions),
  'batch/v1/CronJob': kind({ jobTemplate: nested({ metadata: nested(OBJECT_META), spec: nested(JOB_SPEC) }) }),
  'autoscaling/v2/HorizontalPodAutoscaler': kind(undefined, conditions),
  'policy/v1/PodDisruptionBudget': kind({ selector: { strategy: 'replace' } }, conditions),
};

const OBJECT_ONLY: PatchMeta = kind();

/**
 * patchMetaFor returns the strategic-merge metadata of a served kind, or
 * undefined for kinds the server does not know (custom resources), for which
 * upstream refuses strategic merge patches with 415.
 */
export function patchMetaFor(group: string, version: string, kindName: string): PatchMeta | undefined {
  const apiVersion = apiVersionOf({ group, version });
  const known = BY_KIND[`${apiVersion}/${kindName}`];
  if (known) return known;
  return lookupKind(apiVersion, kindName) ? OBJECT_ONLY : undefined;
}
