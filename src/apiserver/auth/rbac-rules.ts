// SPDX-License-Identifier: Apache-2.0
/**
 * RBAC rule and subject matching, as upstream's
 * plugin/pkg/auth/authorizer/rbac/rbac.go (RuleAllows, appliesTo) and
 * pkg/apis/rbac/v1/evaluation_helpers.go: `*` matches any verb, group,
 * resource or URL; `*\/sub` matches that subresource of any resource; a
 * trailing `*` in a non-resource URL is a prefix match; an empty
 * resourceNames list matches every name.
 */
import type { AuthorizationAttributes } from '../authz.js';
import type { UserInfo } from '../registry/request-context.js';
import { serviceAccountUsername } from './service-account-claims.js';

/** PolicyRule is rbac.authorization.k8s.io/v1 PolicyRule. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** Subject is a binding's subject (User, Group or ServiceAccount). */
export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

/** ROLE_ALL is the wildcard of every rule list. */
const ALL = '*';

/** verbMatches: the rule names the verb or `*`. */
export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === ALL || v === verb);
}

/** apiGroupMatches: the rule names the group or `*`. */
export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === ALL || g === group);
}

/** resourceMatches: `*`, the exact `resource[/subresource]`, or `*\/subresource`. */
export function resourceMatches(rule: PolicyRule, resource: string, subresource: string | undefined): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (rule.resources ?? []).some((r) => r === ALL || r === combined || (!!subresource && r.startsWith('*/') && r.slice(2) === subresource));
}

/** resourceNameMatches: no names listed, or the requested name is one of them. */
export function resourceNameMatches(rule: PolicyRule, name: string | undefined): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (!!name && names.includes(name));
}

/** nonResourceURLMatches: `*`, the exact path, or a prefix ending in `*`. */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((u) => u === ALL || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))));
}

/** ruleAllows tells whether one rule grants the request. */
export function ruleAllows(a: AuthorizationAttributes, rule: PolicyRule): boolean {
  if (a.resourceRequest) {
    return verbMatches(rule, a.verb) && apiGroupMatches(rule, a.group ?? '') && resourceMatches(rule, a.resource ?? '', a.subresource) && resourceNameMatches(rule, a.name);
  }
  return verbMatches(rule, a.verb) && nonResourceURLMatches(rule, a.path ?? '');
}

/**
 * subjectAppliesTo tells whether a binding subject names the user. A
 * ServiceAccount subject without a namespace means the binding's own
 * namespace, as upstream's appliesToUser.
 */
export function subjectAppliesTo(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return user.name === s.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount':
      return user.name === serviceAccountUsername(s.namespace || bindingNamespace, s.name);
    default:
      return false;
  }
}
