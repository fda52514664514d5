// SPDX-License-Identifier: Apache-2.0
/**
 * RBAC strategies (Role, ClusterRole, RoleBinding, ClusterRoleBinding), as
 * upstream's `pkg/apis/rbac/validation` and rbac/v1 defaults: rules need
 * verbs plus api groups and resources (or non-resource URLs on cluster
 * roles); bindings need a valid roleRef, which cannot change.
 */
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject, type KubeObject } from '../../api/index.js';
import { deepEqual } from '../../api/index.js';
import { isDNS1123Subdomain, isValidPathSegmentName } from '../../api/index.js';
import { validateLabelSelector } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function list(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isPlainObject) : [];
}
const len = (v: unknown) => (Array.isArray(v) ? v.length : 0);

/** validatePolicyRule is upstream's ValidatePolicyRule. */
export function validatePolicyRule(rule: Record<string, unknown>, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (len(rule.verbs) === 0) errs.push(field.required(`${path}.verbs`, 'verbs must contain at least one value'));
  if (len(rule.nonResourceURLs) > 0) {
    if (namespaced) errs.push(field.invalid(`${path}.nonResourceURLs`, rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    if (len(rule.apiGroups) > 0 || len(rule.resources) > 0 || len(rule.resourceNames) > 0) {
      errs.push(field.invalid(`${path}.nonResourceURLs`, rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (len(rule.apiGroups) === 0) errs.push(field.required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if (len(rule.resources) === 0) errs.push(field.required(`${path}.resources`, 'resource rules must supply at least one resource'));
  return errs;
}

function roleStrategy(namespaced: boolean): ResourceStrategy {
  return {
    validate(obj) {
      const errs: FieldError[] = [];
      const agg = obj.aggregationRule;
      if (!namespaced && isPlainObject(agg)) {
        list(agg.clusterRoleSelectors).forEach((s, i) => errs.push(...validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`)));
        return errs;
      }
      list(obj.rules).forEach((r, i) => errs.push(...validatePolicyRule(r, namespaced, `rules[${i}]`)));
      return errs;
    },
  };
}

function defaultBinding(obj: KubeObject): void {
  if (isPlainObject(obj.roleRef)) obj.roleRef.apiGroup ||= RBAC_GROUP;
  for (const s of list(obj.subjects)) {
    if (s.apiGroup) continue;
    if (s.kind === 'ServiceAccount') s.apiGroup = '';
    else if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
  }
}

function validateSubject(s: Record<string, unknown>, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = typeof s.name === 'string' ? s.name : '';
  if (!name) errs.push(field.required(`${path}.name`, ''));
  if (s.kind === 'ServiceAccount') {
    if (name) errs.push(...isDNS1123Subdomain(name).map((m) => field.invalid(`${path}.name`, name, m)));
    if (s.apiGroup) errs.push(field.notSupported(`${path}.apiGroup`, s.apiGroup, ['']));
    if (!namespaced && !s.namespace) errs.push(field.required(`${path}.namespace`, ''));
  } else if (s.kind === 'User' || s.kind === 'Group') {
    if (s.apiGroup !== RBAC_GROUP) errs.push(field.notSupported(`${path}.apiGroup`, s.apiGroup ?? '', [RBAC_GROUP]));
  } else {
    errs.push(field.notSupported(`${path}.kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function bindingStrategy(namespaced: boolean): ResourceStrategy {
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  return {
    default: defaultBinding,
    validate(obj) {
      const ref = isPlainObject(obj.roleRef) ? obj.roleRef : {};
      const errs: FieldError[] = [];
      if (ref.apiGroup !== RBAC_GROUP) errs.push(field.notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
      if (!kinds.includes(ref.kind as string)) errs.push(field.notSupported('roleRef.kind', ref.kind ?? '', kinds));
      const name = typeof ref.name === 'string' ? ref.name : '';
      if (!name) errs.push(field.required('roleRef.name', ''));
      else errs.push(...isValidPathSegmentName(name).map((m) => field.invalid('roleRef.name', name, m)));
      list(obj.subjects).forEach((s, i) => errs.push(...validateSubject(s, namespaced, `subjects[${i}]`)));
      return errs;
    },
    validateUpdate: (obj, old) => (deepEqual(obj.roleRef, old.roleRef) ? [] : [field.invalid('roleRef', obj.roleRef ?? null, 'cannot change roleRef')]),
  };
}

/** RBAC strategies, one per kind. */
export const roleStrategyNamespaced = roleStrategy(true);
export const clusterRoleStrategy = roleStrategy(false);
export const roleBindingStrategy = bindingStrategy(true);
export const clusterRoleBindingStrategy = bindingStrategy(false);
