// SPDX-License-Identifier: Apache-2.0
/**
 * The table of every built-in resource. The API server joins each row with
 * its kind's strategy, printer and behaviour (src/apiserver/definitions) into
 * the definitions that discovery, OpenAPI, routing and storage keys read;
 * custom resources add definitions at run time. A new built-in resource is a
 * row here plus, if it has a strategy or printer, one entry in
 * src/apiserver/definitions/builtin.ts.
 * Names, short names and categories match upstream's discovery documents.
 */

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** Subresource names served under `.../<name>/<subresource>`. */
export type SubresourceName =
  | 'status'
  | 'scale'
  | 'log'
  | 'exec'
  | 'attach'
  | 'portforward'
  | 'binding'
  | 'eviction'
  | 'proxy'
  | 'ephemeralcontainers'
  | 'resize'
  | 'finalize'
  | 'token'
  | 'approval';

export interface ResourceInfo {
  /** API group; '' is the core (legacy) group served under /api. */
  group: string;
  version: string;
  kind: string;
  /** Plural lower-case resource name used in URLs (`deployments`). */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: Verb[];
  subresources: SubresourceName[];
  /**
   * Where objects live in storage. Several served versions of one resource
   * (autoscaling/v1 and v2 HPAs; core and events.k8s.io events) share a
   * storage location and are converted on the way in and out.
   */
  storage: { group: string; resource: string; version: string };
  /** selectableFields are field-selector labels beyond the kind's own (a custom resource's selectableFields). */
  selectableFields?: string[];
}

const ALL_VERBS: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

interface Row {
  g: string;
  v: string;
  kind: string;
  plural: string;
  ns: boolean;
  short?: string[];
  cat?: string[];
  sub?: SubresourceName[];
  verbs?: Verb[];
  storage?: { group: string; resource: string; version: string };
}

const rows: Row[] = [
  // core/v1
  { g: '', v: 'v1', kind: 'Namespace', plural: 'namespaces', ns: false, short: ['ns'], sub: ['status', 'finalize'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
  { g: '', v: 'v1', kind: 'Pod', plural: 'pods', ns: true, short: ['po'], cat: ['all'], sub: ['status', 'log', 'exec', 'attach', 'portforward', 'binding', 'eviction', 'proxy', 'ephemeralcontainers', 'resize'] },
  { g: '', v: 'v1', kind: 'Service', plural: 'services', ns: true, short: ['svc'], cat: ['all'], sub: ['status', 'proxy'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] },
  { g: '', v: 'v1', kind: 'Endpoints', plural: 'endpoints', ns: true, short: ['ep'] },
  { g: '', v: 'v1', kind: 'ConfigMap', plural: 'configmaps', ns: true, short: ['cm'] },
  { g: '', v: 'v1', kind: 'Secret', plural: 'secrets', ns: true },
  { g: '', v: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', ns: true, short: ['sa'], sub: ['token'] },
  { g: '', v: 'v1', kind: 'Node', plural: 'nodes', ns: false, short: ['no'], sub: ['status', 'proxy'] },
  { g: '', v: 'v1', kind: 'Event', plural: 'events', ns: true, short: ['ev'], storage: { group: '', resource: 'events', version: 'v1' } },
  { g: '', v: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', ns: false, short: ['pv'], sub: ['status'] },
  { g: '', v: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', ns: true, short: ['pvc'], sub: ['status'] },
  { g: '', v: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', ns: true, short: ['quota'], sub: ['status'] },
  { g: '', v: 'v1', kind: 'LimitRange', plural: 'limitranges', ns: true, short: ['limits'] },
  { g: '', v: 'v1', kind: 'PodTemplate', plural: 'podtemplates', ns: true },
  { g: '', v: 'v1', kind: 'ReplicationController', plural: 'replicationcontrollers', ns: true, short: ['rc'], cat: ['all'], sub: ['status', 'scale'] },
  // apps/v1
  { g: 'apps', v: 'v1', kind: 'Deployment', plural: 'deployments', ns: true, short: ['deploy'], cat: ['all'], sub: ['status', 'scale'] },
  { g: 'apps', v: 'v1', kind: 'ReplicaSet', plural: 'replicasets', ns: true, short: ['rs'], cat: ['all'], sub: ['status', 'scale'] },
  { g: 'apps', v: 'v1', kind: 'StatefulSet', plural: 'statefulsets', ns: true, short: ['sts'], cat: ['all'], sub: ['status', 'scale'] },
  { g: 'apps', v: 'v1', kind: 'DaemonSet', plural: 'daemonsets', ns: true, short: ['ds'], cat: ['all'], sub: ['status'] },
  { g: 'apps', v: 'v1', kind: 'ControllerRevision', plural: 'controllerrevisions', ns: true },
  // batch/v1
  { g: 'batch', v: 'v1', kind: 'Job', plural: 'jobs', ns: true, cat: ['all'], sub: ['status'] },
  { g: 'batch', v: 'v1', kind: 'CronJob', plural: 'cronjobs', ns: true, short: ['cj'], cat: ['all'], sub: ['status'] },
  // networking.k8s.io/v1
  { g: 'networking.k8s.io', v: 'v1', kind: 'Ingress', plural: 'ingresses', ns: true, short: ['ing'], sub: ['status'] },
  { g: 'networking.k8s.io', v: 'v1', kind: 'IngressClass', plural: 'ingressclasses', ns: false },
  { g: 'networking.k8s.io', v: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', ns: true, short: ['netpol'] },
  // autoscaling: v2 is the storage version, v1 is converted.
  { g: 'autoscaling', v: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', ns: true, short: ['hpa'], cat: ['all'], sub: ['status'] },
  {
    g: 'autoscaling', v: 'v1', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', ns: true, short: ['hpa'], cat: ['all'], sub: ['status'],
    storage: { group: 'autoscaling', resource: 'horizontalpodautoscalers', version: 'v2' },
  },
  // coordination, discovery, events
  { g: 'coordination.k8s.io', v: 'v1', kind: 'Lease', plural: 'leases', ns: true },
  { g: 'discovery.k8s.io', v: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', ns: true },
  { g: 'events.k8s.io', v: 'v1', kind: 'Event', plural: 'events', ns: true, short: ['ev'], storage: { group: '', resource: 'events', version: 'v1' } },
  { g: 'certificates.k8s.io', v: 'v1', kind: 'CertificateSigningRequest', plural: 'certificatesigningrequests', ns: false, short: ['csr'], sub: ['status', 'approval'] },
  // storage, rbac, policy, scheduling
  { g: 'storage.k8s.io', v: 'v1', kind: 'CSIDriver', plural: 'csidrivers', ns: false },
  { g: 'storage.k8s.io', v: 'v1', kind: 'CSINode', plural: 'csinodes', ns: false },
  { g: 'storage.k8s.io', v: 'v1', kind: 'CSIStorageCapacity', plural: 'csistoragecapacities', ns: true },
  { g: 'storage.k8s.io', v: 'v1', kind: 'StorageClass', plural: 'storageclasses', ns: false, short: ['sc'] },
  { g: 'storage.k8s.io', v: 'v1', kind: 'VolumeAttachment', plural: 'volumeattachments', ns: false, sub: ['status'] },
  { g: 'rbac.authorization.k8s.io', v: 'v1', kind: 'Role', plural: 'roles', ns: true },
  { g: 'rbac.authorization.k8s.io', v: 'v1', kind: 'RoleBinding', plural: 'rolebindings', ns: true },
  { g: 'rbac.authorization.k8s.io', v: 'v1', kind: 'ClusterRole', plural: 'clusterroles', ns: false },
  { g: 'rbac.authorization.k8s.io', v: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', ns: false },
  { g: 'policy', v: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', ns: true, short: ['pdb'], sub: ['status'] },
  { g: 'scheduling.k8s.io', v: 'v1', kind: 'PriorityClass', plural: 'priorityclasses', ns: false, short: ['pc'] },
  // node.k8s.io/v1: the container runtime a pod asks for (spec.runtimeClassName)
  { g: 'node.k8s.io', v: 'v1', kind: 'RuntimeClass', plural: 'runtimeclasses', ns: false },
  // admissionregistration.k8s.io/v1: dynamic admission (webhooks and CEL policies)
  { g: 'admissionregistration.k8s.io', v: 'v1', kind: 'MutatingWebhookConfiguration', plural: 'mutatingwebhookconfigurations', ns: false, cat: ['api-extensions'] },
  { g: 'admissionregistration.k8s.io', v: 'v1', kind: 'ValidatingWebhookConfiguration', plural: 'validatingwebhookconfigurations', ns: false, cat: ['api-extensions'] },
  { g: 'admissionregistration.k8s.io', v: 'v1', kind: 'ValidatingAdmissionPolicy', plural: 'validatingadmissionpolicies', ns: false, cat: ['api-extensions'], sub: ['status'] },
  { g: 'admissionregistration.k8s.io', v: 'v1', kind: 'ValidatingAdmissionPolicyBinding', plural: 'validatingadmissionpolicybindings', ns: false, cat: ['api-extensions'] },
  // apiregistration.k8s.io/v1: kube-aggregator's APIService (src/apiserver/aggregator)
  { g: 'apiregistration.k8s.io', v: 'v1', kind: 'APIService', plural: 'apiservices', ns: false, cat: ['api-extensions'], sub: ['status'] },
];

/** RESOURCES lists every served group/version/resource, in discovery order. */
export const RESOURCES: readonly ResourceInfo[] = rows.map((r) => ({
  group: r.g,
  version: r.v,
  kind: r.kind,
  plural: r.plural,
  singular: r.kind.toLowerCase(),
  namespaced: r.ns,
  shortNames: r.short,
  categories: r.cat,
  verbs: r.verbs ?? ALL_VERBS,
  subresources: r.sub ?? [],
  storage: r.storage ?? { group: r.g, resource: r.plural, version: r.v },
}));

/** apiVersionOf renders `group/version`, or just `version` for the core group. */
export function apiVersionOf(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** GroupVersion lists the served versions of one group, preferred first. */
export interface GroupVersions {
  group: string;
  versions: string[];
}

/** servedGroups lists groups in discovery order with their versions, preferred version first. */
export function servedGroups(): GroupVersions[] {
  const out: GroupVersions[] = [];
  for (const r of RESOURCES) {
    let g = out.find((x) => x.group === r.group);
    if (!g) out.push((g = { group: r.group, versions: [] }));
    if (!g.versions.includes(r.version)) g.versions.push(r.version);
  }
  return out;
}

const byGVR = new Map<string, ResourceInfo>();
const byGVK = new Map<string, ResourceInfo>();
for (const r of RESOURCES) {
  byGVR.set(`${r.group}/${r.version}/${r.plural}`, r);
  byGVK.set(`${r.group}/${r.version}/${r.kind}`, r);
}

/** lookupResource finds the row for a group, version and plural resource name. */
export function lookupResource(group: string, version: string, plural: string): ResourceInfo | undefined {
  return byGVR.get(`${group}/${version}/${plural}`);
}

/** lookupKind finds the row for an apiVersion and kind, as written in manifests. */
export function lookupKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return byGVK.get(`${group}/${version}/${kind}`);
}

/**
 * storageKey builds the storage key of an object, as upstream lays out etcd:
 * `/registry/<group>/<resource>/<namespace>/<name>`; the core group has no
 * group segment (`/registry/pods/default/web-1`).
 */
export function storageKey(r: ResourceInfo, namespace: string | undefined, name: string): string {
  return `${storagePrefix(r, namespace)}${name}`;
}

/** storagePrefix is the key prefix under which one resource (optionally in one namespace) lives; it ends in '/'. */
export function storagePrefix(r: ResourceInfo, namespace?: string): string {
  const base = r.storage.group ? `/registry/${r.storage.group}/${r.storage.resource}/` : `/registry/${r.storage.resource}/`;
  return r.namespaced && namespace ? `${base}${namespace}/` : base;
}
