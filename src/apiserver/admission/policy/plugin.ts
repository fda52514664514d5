// SPDX-License-Identifier: Apache-2.0
/**
 * The ValidatingAdmissionPolicy plugin, as upstream's
 * admission/plugin/policy/validating: every binding whose policy's
 * matchConstraints (and the binding's own matchResources) select the
 * request is evaluated — params (paramKind/paramRef by name or selector,
 * parameterNotFoundAction), matchConditions, variables, validations with
 * message/messageExpression and reason, auditAnnotations — with
 * `object`, `oldObject`, `request`, `params`, `namespaceObject` and
 * `variables` in CEL. A failed validation is acted on by the binding's
 * validationActions: Deny refuses (`ValidatingAdmissionPolicy '<p>' with
 * binding '<b>' denied request: <message>`), Warn adds a warning, Audit an
 * audit annotation; evaluation errors follow the policy's failurePolicy.
 */
import type { KubeObject, ResourceInfo } from '../../../api/index.js';
import { labelSelectorMatches } from '../../../api/index.js';
import { StatusError, type StatusReason } from '../../../machinery/index.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../admission.js';
import { compileExpression, toCel } from '../cel/expressions.js';
import type { AdmissionEnvironment } from '../webhook/environment.js';
import { evaluateMatchConditions, factsOf, subjectOf } from '../webhook/invocation.js';
import { admissionRequest } from '../webhook/review.js';
import { isExemptAdmissionConfigurationResource, namedRuleMatches, namespaceSelectorMatches, objectSelectorMatches, type RequestFacts } from '../webhook/rules.js';
import type { BindingSpec, MatchResources, PolicySpec } from './types.js';

const BINDINGS = 'validatingadmissionpolicybindings';

const CODES: Record<string, number> = { Unauthorized: 401, Forbidden: 403, Invalid: 422, RequestEntityTooLarge: 413 };

/** matchedResource returns the resource a MatchResources selects the request as, or undefined. */
async function matchedResource(env: AdmissionEnvironment, m: MatchResources, a: AdmissionAttributes, f: RequestFacts): Promise<ResourceInfo | undefined> {
  if (!(await namespaceSelectorMatches(m.namespaceSelector, f, async (ns) => (await env.namespace(ns))?.metadata.labels))) return undefined;
  if (!objectSelectorMatches(m.objectSelector, f)) return undefined;
  const name = a.object.metadata.name ?? '';
  if ((m.excludeResourceRules ?? []).some((r) => namedRuleMatches(r, f, name))) return undefined;
  const rules = m.resourceRules ?? [];
  // A binding without resourceRules takes the policy's selection as is.
  if (!rules.length) return a.resource;
  if (rules.some((r) => namedRuleMatches(r, f, name))) return a.resource;
  if ((m.matchPolicy ?? 'Equivalent') !== 'Equivalent') return undefined;
  for (const r of rules) for (const eq of env.equivalents(a.resource).slice(1)) if (namedRuleMatches(r, f, name, { group: eq.group, version: eq.version, resource: eq.plural })) return eq;
  return undefined;
}

/** paramsOf resolves a binding's params: undefined for no paramKind, [] when none were found. */
async function paramsOf(env: AdmissionEnvironment, policy: PolicySpec, binding: BindingSpec, requestNamespace: string): Promise<(KubeObject | null)[] | string> {
  if (!policy.paramKind || !binding.paramRef) return [null];
  const info = env.lookupKind(policy.paramKind.apiVersion ?? '', policy.paramKind.kind ?? '');
  if (!info) return `failed to find resource referenced by paramKind: '${policy.paramKind.apiVersion}, Kind=${policy.paramKind.kind}'`;
  const ref = binding.paramRef;
  const ns = info.namespaced ? (ref.namespace || requestNamespace) : undefined;
  let found: KubeObject[];
  if (ref.name) {
    const one = info.namespaced && !ns ? undefined : await env.get(info, ns, ref.name);
    found = one ? [one] : [];
  } else {
    found = (await env.listOf(info, ns)).filter((o) => labelSelectorMatches(ref.selector ?? {}, o.metadata.labels ?? {}));
  }
  if (!found.length) return ref.parameterNotFoundAction === 'Deny' ? 'no params found for policy binding with `Deny` parameterNotFoundAction' : [];
  return found;
}

interface Failure {
  message: string;
  reason: string;
  index: number;
}

/** evaluate runs one policy under one binding and params; it returns the failed validations and records audit annotations. */
function evaluate(policy: PolicySpec, vars: Record<string, unknown>, a: AdmissionAttributes, policyName: string): Failure[] | string {
  const bindings: Record<string, ReturnType<typeof toCel>> = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, toCel(v)]));
  const variables: Record<string, unknown> = {};
  for (const v of policy.variables ?? []) {
    const c = compileExpression(v.expression);
    const r = typeof c === 'string' ? { error: c } : c.run({ ...bindings, variables: toCel(variables) });
    if (r.error === undefined) variables[v.name] = r.value;
  }
  bindings.variables = toCel(variables);
  const match = evaluateMatchConditions(policy.matchConditions ?? [], { ...vars, variables }, policy.failurePolicy ?? 'Fail');
  if (match.error) return match.error;
  if (!match.matches) return [];
  const failures: Failure[] = [];
  (policy.validations ?? []).forEach((v, index) => {
    const c = compileExpression(v.expression);
    const r = typeof c === 'string' ? { error: c } : c.run(bindings);
    if (r.error !== undefined) {
      if ((policy.failurePolicy ?? 'Fail') === 'Fail') failures.push({ message: `expression '${v.expression}' resulted in error: ${r.error}`, reason: 'Invalid', index });
      return;
    }
    if (r.value === true) return;
    let message = v.message || `failed expression: ${v.expression}`;
    if (v.messageExpression) {
      const mc = compileExpression(v.messageExpression);
      const mr = typeof mc === 'string' ? undefined : mc.run(bindings);
      if (mr && typeof mr.value === 'string' && mr.value.trim() && !mr.value.includes('\n')) message = mr.value.trim();
    }
    failures.push({ message, reason: v.reason ?? 'Invalid', index });
  });
  for (const an of policy.auditAnnotations ?? []) {
    const c = compileExpression(an.valueExpression);
    const r = typeof c === 'string' ? undefined : c.run(bindings);
    if (r && typeof r.value === 'string' && r.value) (a.ctx.auditAnnotations ??= {})[`${policyName}/${an.key}`] = r.value;
  }
  return failures;
}

function denied(policy: string, binding: string, message: string, reason: string): StatusError {
  const text = `ValidatingAdmissionPolicy '${policy}' with binding '${binding}' denied request: ${message}`;
  return new StatusError(CODES[reason] ?? 422, reason as StatusReason, text, { causes: [{ message: text }] });
}

/** dispatchPolicies evaluates every binding for a request. */
async function dispatchPolicies(env: AdmissionEnvironment, a: AdmissionAttributes): Promise<void> {
  const bindings = await env.list(BINDINGS);
  if (!bindings.length) return;
  const policies = new Map((await env.list('validatingadmissionpolicies')).map((p) => [p.metadata.name, p]));
  const f = factsOf(a);
  const audits: unknown[] = [];
  for (const b of bindings) {
    const spec = (b.spec ?? {}) as BindingSpec;
    const p = policies.get(spec.policyName);
    if (!p) continue;
    const policy = (p.spec ?? {}) as PolicySpec;
    const bindingName = b.metadata.name ?? '';
    const policyName = p.metadata.name ?? '';
    if (!policy.matchConstraints) continue;
    const info = await matchedResource(env, policy.matchConstraints, a, f);
    if (!info) continue;
    if (spec.matchResources && !(await matchedResource(env, spec.matchResources, a, f))) continue;
    const actions = spec.validationActions ?? [];
    const params = await paramsOf(env, policy, spec, f.namespace);
    if (typeof params === 'string') {
      if ((policy.failurePolicy ?? 'Fail') === 'Fail') throw denied(policyName, bindingName, `failed to configure binding: ${params}`, 'Invalid');
      continue;
    }
    const object = f.object && await env.convert(f.object, a.resource, info);
    const oldObject = f.oldObject && await env.convert(f.oldObject, a.resource, info);
    const request = admissionRequest('', subjectOf(a, info, undefined, undefined));
    const namespaceObject = f.namespace ? ((await env.namespace(f.namespace)) ?? null) : null;
    for (const param of params) {
      const result = evaluate(policy, { object: object ?? null, oldObject: oldObject ?? null, request, params: param, namespaceObject }, a, policyName);
      const failures = typeof result === 'string' ? [{ message: result, reason: 'Invalid', index: 0 }] : result;
      for (const fl of failures) {
        if (actions.includes('Deny')) throw denied(policyName, bindingName, fl.message, fl.reason);
        if (actions.includes('Warn')) a.ctx.warnings.push(`Validation failed for ValidatingAdmissionPolicy '${policyName}' with binding '${bindingName}': ${fl.message}`);
        if (actions.includes('Audit')) audits.push({ message: fl.message, policy: policyName, binding: bindingName, expressionIndex: fl.index, validationActions: actions });
      }
    }
  }
  if (audits.length) (a.ctx.auditAnnotations ??= {})['validation.policy.admission.k8s.io/validation_failure'] = JSON.stringify(audits);
}

/** validatingAdmissionPolicy is the ValidatingAdmissionPolicy admission plugin. */
export function validatingAdmissionPolicy(env: AdmissionEnvironment): AdmissionPlugin {
  return {
    name: 'ValidatingAdmissionPolicy',
    handles: (r, sub) => sub !== '*' && !isExemptAdmissionConfigurationResource({ group: r.group, resource: r.plural }),
    // Without bindings (known without waiting) there is nothing to evaluate, and no promise to await.
    validate: (a) => (env.noneStored(BINDINGS) ? undefined : dispatchPolicies(env, a)),
  };
}
