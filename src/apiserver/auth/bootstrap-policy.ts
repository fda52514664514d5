// SPDX-License-Identifier: Apache-2.0
/**
 * The default RBAC policy every cluster starts with, after upstream's
 * plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go: the
 * user-facing roles (cluster-admin, and admin/edit/view assembled by
 * aggregation from the system:aggregate-to-* roles), discovery and
 * self-review rights for every authenticated user, public health and
 * version info for everyone, and what a node agent needs. Objects are
 * created when missing and never overwritten, so an operator's edits stay.
 */
import type { KubeObject } from '../../api/index.js';
import type { Client, ResourceRef } from '../../client/index.js';
import { RBAC_REFS } from './rbac-informers.js';
import { isAlreadyExists } from '../../machinery/index.js';
import type { PolicyRule, Subject } from './rbac-rules.js';
import { DEFAULT_NODE_TOKEN_GROUP, FLANNEL_CONFIG, KUBEADM_CONFIG, NODE_NETWORK_GROUP } from '../../api/index.js';

/** BOOTSTRAP_LABELS mark the default policy objects, as upstream. */
export const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const AUTOUPDATE = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ_WRITE = [...READ, ...WRITE];

function rule(verbs: string[], apiGroups: string[], resources: string[]): PolicyRule {
  return { verbs, apiGroups, resources };
}
function urls(verbs: string[], nonResourceURLs: string[]): PolicyRule {
  return { verbs, nonResourceURLs };
}

const aggregateTo = (role: string) => ({ [`rbac.authorization.k8s.io/aggregate-to-${role}`]: 'true' });

function clusterRole(name: string, rules: PolicyRule[], extra: { labels?: Record<string, string>; aggregateFrom?: string } = {}): KubeObject {
  const role: KubeObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels: { ...BOOTSTRAP_LABELS, ...(extra.labels ?? {}) }, annotations: { ...AUTOUPDATE } },
    rules,
  };
  if (extra.aggregateFrom) role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: aggregateTo(extra.aggregateFrom) }] };
  return role;
}

function binding(name: string, role: string, subjects: Subject[]): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: { ...BOOTSTRAP_LABELS }, annotations: { ...AUTOUPDATE } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects,
  };
}

/**
 * namespacedRole is a Role with a RoleBinding of the same name to subjects
 * (upstream's bootstrap namespace roles, and kubeadm's per-ConfigMap roles).
 */
function namespacedRole(namespace: string, name: string, rules: PolicyRule[], subjects: Subject[]): [KubeObject, KubeObject] {
  const metadata = { name, namespace, labels: { ...BOOTSTRAP_LABELS }, annotations: { ...AUTOUPDATE } };
  return [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata, rules },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects },
  ];
}

const group = (name: string): Subject => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name });
const user = (name: string): Subject => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name });

/** viewRules are what system:aggregate-to-view grants: reading everything that does not escalate (no secrets). */
function viewRules(): PolicyRule[] {
  return [
    rule(READ, [''], ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps']),
    rule(READ, [''], ['limitranges', 'resourcequotas', 'bindings', 'events', 'pods/status', 'resourcequotas/status', 'namespaces/status', 'replicationcontrollers/status', 'pods/log']),
    rule(READ, [''], ['namespaces']),
    rule(READ, ['discovery.k8s.io'], ['endpointslices']),
    rule(READ, ['apps'], ['controllerrevisions', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/status', 'deployments/scale', 'replicasets', 'replicasets/status', 'replicasets/scale']),
    rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
    rule(READ, ['batch'], ['jobs', 'jobs/status', 'cronjobs', 'cronjobs/status']),
    rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
    rule(READ, ['networking.k8s.io'], ['networkpolicies', 'ingresses', 'ingresses/status']),
  ];
}

/** editRules are what system:aggregate-to-edit adds: writing workloads and reading/writing secrets, no RBAC or quota. */
function editRules(): PolicyRule[] {
  return [
    rule(READ, [''], ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy']),
    rule(['impersonate'], [''], ['serviceaccounts']),
    rule(WRITE, [''], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
    rule(['create'], [''], ['pods/eviction']),
    rule(WRITE, [''], ['replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy', 'persistentvolumeclaims', 'configmaps', 'secrets', 'events']),
    rule(['create'], [''], ['serviceaccounts/token']),
    rule(WRITE, ['apps'], ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'replicasets', 'replicasets/scale']),
    rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
    rule(WRITE, ['batch'], ['jobs', 'cronjobs']),
    rule(WRITE, ['policy'], ['poddisruptionbudgets']),
    rule(WRITE, ['networking.k8s.io'], ['networkpolicies', 'ingresses']),
    rule(READ_WRITE, ['coordination.k8s.io'], ['leases']),
  ];
}

/**
 * nodeRules are what a kubelet needs (upstream's NodeRules, the system:node
 * role). The Node authorizer applies them to node identities after its
 * per-node narrowing of secrets, configmaps, volumes, tokens and leases.
 */
export function nodeRules(): PolicyRule[] {
  return [
    rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
    rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews', 'localsubjectaccessreviews']),
    rule(READ, [''], ['services', 'endpoints']),
    rule(['create', 'get', 'list', 'watch', 'patch', 'update', 'delete'], [''], ['nodes']),
    rule(['patch', 'update'], [''], ['nodes/status']),
    rule(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']),
    rule([...READ, 'create', 'delete'], [''], ['pods']),
    rule(['update', 'patch'], [''], ['pods/status']),
    rule(['create'], [''], ['pods/eviction']),
    rule(READ, [''], ['secrets', 'configmaps', 'persistentvolumeclaims', 'persistentvolumes']),
    rule(['update', 'patch'], [''], ['persistentvolumeclaims/status']),
    rule(['create'], [''], ['serviceaccounts/token']),
    rule(['get', 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
    rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
    rule(READ, ['storage.k8s.io'], ['csidrivers', 'storageclasses']),
    // The Node authorizer narrows these two: its own CSINode, and attachments to its node.
    rule(['get', 'create', 'update', 'patch', 'delete'], ['storage.k8s.io'], ['csinodes']),
    rule(['get'], ['storage.k8s.io'], ['volumeattachments']),
    rule(READ, ['node.k8s.io'], ['runtimeclasses']),
  ];
}

/**
 * proxierRules are upstream's system:node-proxier, what kube-proxy reads and
 * writes: Services and their endpoints, Nodes, and events.
 */
function proxierRules(): PolicyRule[] {
  return [
    rule(['list', 'watch'], [''], ['endpoints', 'services']),
    rule(['get', 'list', 'watch'], [''], ['nodes']),
    rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
    rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
  ];
}

/**
 * networkPolicyAgentRules are what a NetworkPolicy agent reads to build its
 * rules (the read part of Calico's and kube-router's roles): policies, and
 * the pods and namespaces they select.
 */
function networkPolicyAgentRules(): PolicyRule[] {
  return [
    rule(READ, [''], ['pods', 'namespaces']),
    rule(READ, ['networking.k8s.io'], ['networkpolicies']),
  ];
}

/** defaultClusterRoles are the bootstrap ClusterRoles. */
export function defaultClusterRoles(): KubeObject[] {
  return [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    clusterRole('system:discovery', [urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'])]),
    clusterRole('system:basic-user', [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ]),
    clusterRole('system:public-info-viewer', [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])]),
    clusterRole('admin', [], { aggregateFrom: 'admin' }),
    clusterRole('edit', [], { labels: aggregateTo('admin'), aggregateFrom: 'edit' }),
    clusterRole('view', [], { labels: aggregateTo('edit'), aggregateFrom: 'view' }),
    clusterRole('system:aggregate-to-admin', [
      rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
      rule(READ_WRITE, ['rbac.authorization.k8s.io'], ['roles', 'rolebindings']),
    ], { labels: aggregateTo('admin') }),
    clusterRole('system:aggregate-to-edit', editRules(), { labels: aggregateTo('edit') }),
    clusterRole('system:aggregate-to-view', viewRules(), { labels: aggregateTo('view') }),
    clusterRole('system:node', nodeRules()),
    clusterRole('system:node-proxier', proxierRules()),
    clusterRole('skiff:network-policy-agent', networkPolicyAgentRules()),
    // Joining with a bootstrap token (upstream's system:node-bootstrapper and the CSR approver's roles).
    clusterRole('system:node-bootstrapper', [rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/nodeclient'])]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient'])]),
  ];
}

/** defaultClusterRoleBindings are the bootstrap ClusterRoleBindings. */
export function defaultClusterRoleBindings(): KubeObject[] {
  return [
    binding('cluster-admin', 'cluster-admin', [group('system:masters')]),
    binding('system:discovery', 'system:discovery', [group('system:authenticated')]),
    binding('system:basic-user', 'system:basic-user', [group('system:authenticated')]),
    binding('system:public-info-viewer', 'system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
    // Upstream leaves nodes to the Node authorizer: the system:node binding has no subjects.
    binding('system:node', 'system:node', []),
    // A node's proxy and policy enforcer run as its network identity (api/certificates/node-network-csr.ts), never
    // with the kubelet's credentials: upstream binds system:node-proxier to the user system:kube-proxy.
    binding('system:node-proxier', 'system:node-proxier', [user('system:kube-proxy'), group(NODE_NETWORK_GROUP)]),
    binding('skiff:network-policy-agent', 'skiff:network-policy-agent', [group(NODE_NETWORK_GROUP)]),
    // What kubeadm binds for its default node token: bootstrappers may ask for a client certificate,
    // which the CSR approver then grants; nodes may renew their own.
    binding('skiff:kubelet-bootstrap', 'system:node-bootstrapper', [group(DEFAULT_NODE_TOKEN_GROUP)]),
    binding('skiff:node-autoapprove-bootstrap', 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', [group(DEFAULT_NODE_TOKEN_GROUP)]),
    binding('skiff:node-autoapprove-certificate-rotation', 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [group('system:nodes')]),
  ];
}

/**
 * defaultNamespacedRoles let joining and joined nodes read the cluster's
 * network settings (see api/bootstrap/cluster-network.ts), as kubeadm's
 * kubeadm:nodes-kubeadm-config role lets them read kubeadm-config.
 */
export function defaultNamespacedRoles(): [KubeObject, KubeObject][] {
  const readers = [group(DEFAULT_NODE_TOKEN_GROUP), group('system:nodes')];
  const getConfigMap = (name: string): PolicyRule => ({ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: [name] });
  return [
    namespacedRole(KUBEADM_CONFIG.namespace, 'kubeadm:nodes-kubeadm-config', [getConfigMap(KUBEADM_CONFIG.name)], readers),
    namespacedRole(FLANNEL_CONFIG.namespace, 'skiff:nodes-flannel-config', [getConfigMap(FLANNEL_CONFIG.name)], readers),
  ];
}

/** ensureBootstrapPolicy creates each default role and binding that does not exist yet; it returns the names it created. */
export async function ensureBootstrapPolicy(client: Client): Promise<string[]> {
  const created: string[] = [];
  const todo: [ResourceRef, KubeObject[]][] = [
    [RBAC_REFS.clusterRoles, defaultClusterRoles()],
    [RBAC_REFS.clusterRoleBindings, defaultClusterRoleBindings()],
    [RBAC_REFS.roles, defaultNamespacedRoles().map(([role]) => role)],
    [RBAC_REFS.roleBindings, defaultNamespacedRoles().map(([, binding]) => binding)],
  ];
  for (const name of ['system:node', 'skiff:node-network']) await dropNodesFromBinding(client, name);
  for (const [ref, objs] of todo) {
    for (const obj of objs) {
      try {
        await client.create(ref, obj, obj.metadata.namespace ? { namespace: obj.metadata.namespace } : undefined);
        created.push(`${ref.resource}/${obj.metadata.name}`);
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
  }
  return created;
}

/**
 * dropNodesFromBinding removes the `system:nodes` group from bindings that
 * older clusters made, as upstream's policy reconciliation does: the
 * system:node binding from before the Node authorizer (otherwise every node
 * could still read every Secret through RBAC), and skiff:node-network from
 * before nodes had a network identity (otherwise every node could still list
 * every pod).
 */
async function dropNodesFromBinding(client: Client, name: string): Promise<void> {
  let b: KubeObject & { subjects?: Subject[] };
  try {
    b = await client.get(RBAC_REFS.clusterRoleBindings, name);
  } catch {
    return;
  }
  const kept = (b.subjects ?? []).filter((s) => !(s.kind === 'Group' && s.name === 'system:nodes'));
  if (kept.length !== (b.subjects ?? []).length) await client.update(RBAC_REFS.clusterRoleBindings, { ...b, subjects: kept });
}
