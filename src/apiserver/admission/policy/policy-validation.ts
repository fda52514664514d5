// SPDX-License-Identifier: Apache-2.0
/**
 * ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding
 * (admissionregistration.k8s.io/v1) defaults and validation, as upstream's
 * SetDefaults_ValidatingAdmissionPolicySpec (failurePolicy Fail,
 * matchPolicy Equivalent, empty selectors) and ValidateValidatingAdmissionPolicy(Binding):
 * field paths and messages as upstream, every CEL expression compiled.
 */
import { isPlainObject, validateLabelSelector, type KubeObject } from '../../../api/index.js';
import { field, type FieldError } from '../../../machinery/index.js';
import type { ResourceStrategy } from '../../strategy.js';
import { compileExpression } from '../cel/expressions.js';
import { validateMatchConditions, validateRule } from '../webhook/configuration.js';
import type { RuleWithOperations } from '../webhook/rules.js';
import type { MatchResources, PolicySpec, BindingSpec } from './types.js';

const ACTIONS = ['Audit', 'Deny', 'Warn'];

function specOf<T>(obj: KubeObject): T {
  return (isPlainObject(obj.spec) ? obj.spec : {}) as T;
}

function defaultMatchResources(m: MatchResources | undefined): void {
  if (!m) return;
  m.matchPolicy ??= 'Equivalent';
  m.namespaceSelector ??= {};
  m.objectSelector ??= {};
  for (const r of [...(m.resourceRules ?? []), ...(m.excludeResourceRules ?? [])]) r.scope ??= '*';
}

function validateExpression(expr: string | undefined, path: string, required = true): FieldError[] {
  if (expr === undefined || expr.trim() === '') return required ? [field.required(path)] : [];
  const c = compileExpression(expr);
  return typeof c === 'string' ? [field.invalid(path, expr, c)] : [];
}

function validateMatchResources(m: MatchResources | undefined, path: string, requireRules: boolean): FieldError[] {
  if (!m) return requireRules ? [field.required(path)] : [];
  const errs: FieldError[] = [];
  if (requireRules && !(m.resourceRules ?? []).length) errs.push(field.required(`${path}.resourceRules`));
  if (m.matchPolicy !== undefined && m.matchPolicy !== 'Equivalent' && m.matchPolicy !== 'Exact') errs.push(field.notSupported(`${path}.matchPolicy`, m.matchPolicy, ['Equivalent', 'Exact']));
  errs.push(...validateLabelSelector(m.namespaceSelector, `${path}.namespaceSelector`));
  errs.push(...validateLabelSelector(m.objectSelector, `${path}.objectSelector`));
  (m.resourceRules ?? []).forEach((r, i) => errs.push(...validateRule(r as RuleWithOperations, `${path}.resourceRules[${i}]`)));
  (m.excludeResourceRules ?? []).forEach((r, i) => errs.push(...validateRule(r as RuleWithOperations, `${path}.excludeResourceRules[${i}]`)));
  return errs;
}

function validatePolicy(obj: KubeObject): FieldError[] {
  const spec = specOf<PolicySpec>(obj);
  const errs: FieldError[] = [];
  if (spec.failurePolicy !== undefined && spec.failurePolicy !== 'Fail' && spec.failurePolicy !== 'Ignore') errs.push(field.notSupported('spec.failurePolicy', spec.failurePolicy, ['Fail', 'Ignore']));
  if (spec.paramKind) {
    if (!spec.paramKind.apiVersion) errs.push(field.required('spec.paramKind.apiVersion'));
    if (!spec.paramKind.kind) errs.push(field.required('spec.paramKind.kind'));
  }
  errs.push(...validateMatchResources(spec.matchConstraints, 'spec.matchConstraints', true));
  if (!(spec.validations ?? []).length && !(spec.auditAnnotations ?? []).length) errs.push(field.required('spec.validations', 'validations or auditAnnotations must contain at least one item'));
  (spec.validations ?? []).forEach((v, i) => {
    errs.push(...validateExpression(v.expression, `spec.validations[${i}].expression`));
    errs.push(...validateExpression(v.messageExpression, `spec.validations[${i}].messageExpression`, false));
    if (v.message !== undefined && v.message.includes('\n')) errs.push(field.invalid(`spec.validations[${i}].message`, v.message, 'message must not contain line breaks'));
    const reasons = ['Unauthorized', 'Forbidden', 'Invalid', 'RequestEntityTooLarge'];
    if (v.reason !== undefined && !reasons.includes(v.reason)) errs.push(field.notSupported(`spec.validations[${i}].reason`, v.reason, reasons));
  });
  (spec.auditAnnotations ?? []).forEach((a, i) => {
    if (!a.key) errs.push(field.required(`spec.auditAnnotations[${i}].key`));
    errs.push(...validateExpression(a.valueExpression, `spec.auditAnnotations[${i}].valueExpression`));
  });
  (spec.variables ?? []).forEach((v, i) => {
    if (!v.name) errs.push(field.required(`spec.variables[${i}].name`));
    errs.push(...validateExpression(v.expression, `spec.variables[${i}].expression`));
  });
  errs.push(...validateMatchConditions(spec.matchConditions, 'spec.matchConditions'));
  return errs;
}

function validateBinding(obj: KubeObject): FieldError[] {
  const spec = specOf<BindingSpec>(obj);
  const errs: FieldError[] = [];
  if (!spec.policyName) errs.push(field.required('spec.policyName'));
  const actions = spec.validationActions ?? [];
  if (!actions.length) errs.push(field.required('spec.validationActions', 'at least one validation action is required'));
  const seen = new Set<string>();
  actions.forEach((a, i) => {
    if (!ACTIONS.includes(a)) errs.push(field.notSupported(`spec.validationActions[${i}]`, a, ACTIONS));
    if (seen.has(a)) errs.push(field.duplicate(`spec.validationActions[${i}]`, a));
    seen.add(a);
  });
  if (seen.has('Deny') && seen.has('Warn')) {
    errs.push(field.invalid('spec.validationActions', actions, 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'));
  }
  const ref = spec.paramRef;
  if (ref) {
    if (ref.name && ref.selector) errs.push(field.forbidden('spec.paramRef.name', 'name and selector are mutually exclusive'));
    if (!ref.name && !ref.selector) errs.push(field.required('spec.paramRef', 'one of name or selector must be specified'));
    const pna = ref.parameterNotFoundAction;
    if (pna === undefined) errs.push(field.required('spec.paramRef.parameterNotFoundAction'));
    else if (pna !== 'Allow' && pna !== 'Deny') errs.push(field.notSupported('spec.paramRef.parameterNotFoundAction', pna, ['Allow', 'Deny']));
  }
  errs.push(...validateMatchResources(spec.matchResources, 'spec.matchResources', false));
  return errs;
}

export const validatingAdmissionPolicyStrategy: ResourceStrategy = {
  default(obj) {
    const spec = specOf<PolicySpec>(obj);
    if (!isPlainObject(obj.spec)) return;
    spec.failurePolicy ??= 'Fail';
    defaultMatchResources(spec.matchConstraints);
  },
  validate: validatePolicy,
};

export const validatingAdmissionPolicyBindingStrategy: ResourceStrategy = {
  default(obj) {
    if (!isPlainObject(obj.spec)) return;
    defaultMatchResources(specOf<BindingSpec>(obj).matchResources);
  },
  validate: validateBinding,
};
