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

const group = (name: string): Subject => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name });
const user = (name: string): Subject => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name });

/** NODE_AGENT_USER is the identity of the node join token (skiff agent). */
export const NODE_AGENT_USER = 'system:node-agent';

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

/** nodeRules are what a kubelet needs (upstream's system:node, without the Node authorizer's per-node narrowing). */
function nodeRules(): PolicyRule[] {
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
    rule(READ, ['storage.k8s.io'], ['csidrivers', 'csinodes', 'volumeattachments', 'storageclasses']),
    rule(READ, ['node.k8s.io'], ['runtimeclasses']),
  ];
}

/** nodeAgentRules cover the rest of a skiff agent: service proxy, cluster DNS and the built-in ingress. */
function nodeAgentRules(): PolicyRule[] {
  return [
    rule(READ, [''], ['services', 'endpoints', 'nodes', 'pods', 'namespaces', 'secrets']),
    rule(READ, ['discovery.k8s.io'], ['endpointslices']),
    rule(READ, ['networking.k8s.io'], ['ingresses', 'ingressclasses', 'networkpolicies']),
    rule(['update', 'patch'], ['networking.k8s.io'], ['ingresses/status']),
    rule(['update', 'patch'], [''], ['services/status']),
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
    clusterRole('skiff:node-agent', nodeAgentRules()),
  ];
}

/** defaultClusterRoleBindings are the bootstrap ClusterRoleBindings. */
export function defaultClusterRoleBindings(): KubeObject[] {
  return [
    binding('cluster-admin', 'cluster-admin', [group('system:masters')]),
    binding('system:discovery', 'system:discovery', [group('system:authenticated')]),
    binding('system:basic-user', 'system:basic-user', [group('system:authenticated')]),
    binding('system:public-info-viewer', 'system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
    // Upstream leaves nodes to the Node authorizer; without one, the nodes group gets system:node directly.
    binding('system:node', 'system:node', [group('system:nodes')]),
    binding('skiff:node-agent', 'skiff:node-agent', [user(NODE_AGENT_USER)]),
  ];
}

/** ensureBootstrapPolicy creates each default role and binding that does not exist yet; it returns the names it created. */
export async function ensureBootstrapPolicy(client: Client): Promise<string[]> {
  const created: string[] = [];
  const todo: [ResourceRef, KubeObject[]][] = [
    [RBAC_REFS.clusterRoles, defaultClusterRoles()],
    [RBAC_REFS.clusterRoleBindings, defaultClusterRoleBindings()],
  ];
  for (const [ref, objs] of todo) {
    for (const obj of objs) {
      try {
        await client.create(ref, obj);
        created.push(`${ref.resource}/${obj.metadata.name}`);
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
  }
  return created;
}
