// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthorizationAttributes } from '../authz.js';
import type { UserInfo } from '../registry/request-context.js';
import { RBACAuthorizer, type BindingObject, type RBACSource, type RoleObject } from './rbac-authorizer.js';
import { ruleAllows, type PolicyRule } from './rbac-rules.js';
import { aggregatedRules } from '../../controllers/clusterroleaggregation/cluster-role-aggregation.js';
import { defaultClusterRoleBindings, defaultClusterRoles } from './bootstrap-policy.js';

const alice: UserInfo = { name: 'alice', groups: ['devs', 'system:authenticated'] };

function res(verb: string, resource: string, extra: Partial<AuthorizationAttributes> = {}): AuthorizationAttributes {
  return { user: alice, verb, resourceRequest: true, group: '', resource, ...extra };
}

test('rule matching: wildcards, subresources, resource names and URL prefixes', () => {
  const r = (o: Partial<PolicyRule>): PolicyRule => ({ verbs: ['get'], apiGroups: [''], resources: ['pods'], ...o });
  assert.ok(ruleAllows(res('get', 'pods'), r({})));
  assert.ok(!ruleAllows(res('list', 'pods'), r({})));
  assert.ok(ruleAllows(res('list', 'pods'), r({ verbs: ['*'] })));
  assert.ok(!ruleAllows(res('get', 'deployments', { group: 'apps' }), r({ resources: ['deployments'] })));
  assert.ok(ruleAllows(res('get', 'deployments', { group: 'apps' }), r({ apiGroups: ['*'], resources: ['deployments'] })));
  // A rule on pods does not cover pods/log; pods/log and */log do.
  assert.ok(!ruleAllows(res('get', 'pods', { subresource: 'log' }), r({})));
  assert.ok(ruleAllows(res('get', 'pods', { subresource: 'log' }), r({ resources: ['pods/log'] })));
  assert.ok(ruleAllows(res('get', 'pods', { subresource: 'log' }), r({ resources: ['*/log'] })));
  assert.ok(ruleAllows(res('get', 'pods', { subresource: 'log' }), r({ resources: ['*'] })));
  // resourceNames restrict to named objects; a list (no name) is not covered.
  assert.ok(ruleAllows(res('get', 'pods', { name: 'a' }), r({ resourceNames: ['a'] })));
  assert.ok(!ruleAllows(res('get', 'pods', { name: 'b' }), r({ resourceNames: ['a'] })));
  assert.ok(!ruleAllows(res('get', 'pods'), r({ resourceNames: ['a'] })));
  const url = (path: string): AuthorizationAttributes => ({ user: alice, verb: 'get', resourceRequest: false, path });
  const urls: PolicyRule = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] };
  assert.ok(ruleAllows(url('/healthz'), urls));
  assert.ok(ruleAllows(url('/apis/apps/v1'), urls));
  assert.ok(!ruleAllows(url('/healthz/ping'), urls));
  assert.ok(!ruleAllows(res('get', 'pods'), urls), 'URL rules grant no resources');
});

function source(roles: RoleObject[], clusterRoles: RoleObject[], bindings: BindingObject[], clusterBindings: BindingObject[]): RBACSource {
  return {
    clusterRole: (n) => clusterRoles.find((r) => r.metadata.name === n),
    role: (ns, n) => roles.find((r) => r.metadata.name === n && r.metadata.namespace === ns),
    clusterRoleBindings: () => clusterBindings,
    roleBindings: (ns) => bindings.filter((b) => b.metadata.namespace === ns),
  };
}

const podReader: RoleObject = { metadata: { name: 'pod-reader' }, rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }] };

test('RoleBindings grant in their namespace only; subjects match users, groups and service accounts', () => {
  const authz = new RBACAuthorizer(source(
    [{ metadata: { name: 'r', namespace: 'a' }, rules: [{ verbs: ['delete'], apiGroups: [''], resources: ['pods'] }] }],
    [podReader],
    [
      { metadata: { name: 'b1', namespace: 'a' }, roleRef: { kind: 'ClusterRole', name: 'pod-reader' }, subjects: [{ kind: 'Group', name: 'devs' }] },
      { metadata: { name: 'b2', namespace: 'a' }, roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'bot' }] },
    ],
    [],
  ));
  assert.equal(authz.authorize(res('list', 'pods', { namespace: 'a' })).allowed, true);
  assert.equal(authz.authorize(res('list', 'pods', { namespace: 'b' })).allowed, false);
  assert.equal(authz.authorize(res('list', 'pods')).allowed, false, 'a RoleBinding grants nothing cluster-wide');
  const bot: UserInfo = { name: 'system:serviceaccount:a:bot', groups: [] };
  assert.equal(authz.authorize(res('delete', 'pods', { namespace: 'a', user: bot })).allowed, true);
  assert.equal(authz.authorize(res('delete', 'pods', { namespace: 'a' })).allowed, false);
  assert.equal(authz.authorize(res('list', 'pods', { namespace: 'a' })).reason, 'RBAC: allowed by RoleBinding "b1/a" of ClusterRole "pod-reader" to Group "devs"');
});

test('superusers pass; a binding to a missing role is the denial reason', () => {
  const authz = new RBACAuthorizer(source([], [], [], [{ metadata: { name: 'x' }, roleRef: { kind: 'ClusterRole', name: 'gone' }, subjects: [{ kind: 'User', name: 'alice' }] }]));
  assert.deepEqual(authz.authorize(res('get', 'pods')), { allowed: false, reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found' });
  assert.equal(authz.authorize(res('delete', 'nodes', { user: { name: 'root', groups: ['system:masters'] } })).allowed, true);
});

test('rulesFor lists cluster and namespace rules of the user', () => {
  const authz = new RBACAuthorizer(source([], [podReader], [{ metadata: { name: 'b', namespace: 'a' }, roleRef: { kind: 'ClusterRole', name: 'pod-reader' }, subjects: [{ kind: 'User', name: 'alice' }] }], []));
  assert.equal(authz.rulesFor(alice, 'a').rules.length, 1);
  assert.equal(authz.rulesFor(alice, 'b').rules.length, 0);
});

test('aggregation: view feeds edit feeds admin, without duplicates, and the default roles grant what upstream grants', () => {
  const all = defaultClusterRoles() as unknown as (RoleObject & { metadata: { name: string; labels?: Record<string, string> } })[];
  const byName = (n: string) => all.find((r) => r.metadata.name === n)!;
  for (const name of ['view', 'edit', 'admin']) byName(name).rules = aggregatedRules(byName(name) as never, all as never);
  for (const name of ['view', 'edit', 'admin']) byName(name).rules = aggregatedRules(byName(name) as never, all as never);
  const view = byName('view').rules!;
  const edit = byName('edit').rules!;
  const admin = byName('admin').rules!;
  assert.ok(view.length > 0 && edit.length > view.length && admin.length > edit.length);
  assert.equal(new Set(admin.map((r) => JSON.stringify(r))).size, admin.length);
  const can = (rules: PolicyRule[], a: AuthorizationAttributes) => rules.some((r) => ruleAllows(a, r));
  assert.ok(can(view, res('list', 'pods')) && !can(view, res('delete', 'pods')) && !can(view, res('get', 'secrets')));
  assert.ok(can(edit, res('delete', 'pods')) && can(edit, res('get', 'secrets')) && !can(edit, res('create', 'rolebindings', { group: 'rbac.authorization.k8s.io' })));
  assert.ok(can(admin, res('create', 'rolebindings', { group: 'rbac.authorization.k8s.io' })));
  assert.equal(aggregatedRules(byName('cluster-admin') as never, all as never), undefined);
});

test('default policy: nodes get no cluster-wide pod read; the node network identity reads what a proxy and a policy agent need, and no Secret', () => {
  const roles = defaultClusterRoles() as unknown as RoleObject[];
  const authz = new RBACAuthorizer(source([], roles, [], defaultClusterRoleBindings() as unknown as BindingObject[]));
  const node: UserInfo = { name: 'system:node:a', groups: ['system:nodes', 'system:authenticated'] };
  const network: UserInfo = { name: 'system:skiff-node-network:a', groups: ['system:skiff-node-network', 'system:authenticated'] };
  for (const r of ['pods', 'namespaces', 'services', 'nodes']) assert.equal(authz.authorize(res('list', r, { user: node })).allowed, false, `node list ${r}`);
  for (const [verb, resource, group] of [['watch', 'pods', ''], ['list', 'namespaces', ''], ['watch', 'networkpolicies', 'networking.k8s.io'], ['list', 'services', ''], ['watch', 'endpointslices', 'discovery.k8s.io'], ['get', 'nodes', ''], ['create', 'events', '']]) {
    assert.ok(authz.authorize(res(verb, resource, { user: network, group })).allowed, `network ${verb} ${resource}`);
  }
  for (const [verb, resource] of [['get', 'secrets'], ['list', 'configmaps'], ['update', 'pods'], ['patch', 'nodes']]) {
    assert.equal(authz.authorize(res(verb, resource, { user: network })).allowed, false, `network ${verb} ${resource}`);
  }
  // Upstream's kube-proxy user keeps its binding.
  assert.ok(authz.authorize(res('list', 'endpointslices', { user: { name: 'system:kube-proxy', groups: ['system:authenticated'] }, group: 'discovery.k8s.io' })).allowed);
});
