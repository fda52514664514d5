// SPDX-License-Identifier: Apache-2.0
/**
 * Deciding whether one webhook is called for a request, as upstream's
 * generic Webhook.ShouldCallHook: namespaceSelector, objectSelector, then
 * the rules against the requested resource or, under matchPolicy Equivalent,
 * against another served version of it (the webhook then sees the object in
 * that version), then matchConditions (CEL; an evaluation error fails the
 * request with 403 under failurePolicy Fail and skips the webhook under
 * Ignore; any false condition skips it).
 */
import type { MatchCondition } from 'kubernetes-types/admissionregistration/v1.js';
import type { KubeObject, ResourceInfo } from '../../../api/index.js';
import { newForbidden } from '../../../machinery/index.js';
import type { AdmissionAttributes } from '../admission.js';
import { compileExpression, toCel } from '../cel/expressions.js';
import type { Webhook } from './configuration.js';
import type { AdmissionEnvironment } from './environment.js';
import { admissionRequest, type ReviewSubject } from './review.js';
import { namespaceSelectorMatches, objectSelectorMatches, ruleMatches, type RequestFacts } from './rules.js';

/** Invocation is a webhook to call and the resource it sees the request as. */
export interface Invocation {
  hook: Webhook;
  configuration: string;
  info: ResourceInfo;
}

/** factsOf reads what matching needs from admission attributes; DELETE has no new object, as upstream. */
export function factsOf(a: AdmissionAttributes): RequestFacts {
  const obj = a.operation === 'DELETE' ? undefined : a.object;
  const isNamespace = a.resource.group === '' && a.resource.plural === 'namespaces';
  return {
    operation: a.operation,
    group: a.resource.group,
    version: a.resource.version,
    resource: a.resource.plural,
    subresource: a.subresource ?? '',
    // A Namespace request carries the namespace's own name as its namespace, as upstream's attributes do.
    namespace: isNamespace ? (a.object.metadata.name ?? '') : a.resource.namespaced ? (a.object.metadata.namespace ?? a.ctx.namespace ?? '') : '',
    object: obj,
    oldObject: a.oldObject,
  };
}

/** subjectOf is the review subject of a request seen as `info` with (possibly converted) objects. */
export function subjectOf(a: AdmissionAttributes, info: ResourceInfo, object: KubeObject | undefined, oldObject: KubeObject | undefined): ReviewSubject {
  const f = factsOf(a);
  const optionsKind = a.operation === 'CREATE' ? 'CreateOptions' : a.operation === 'UPDATE' ? 'UpdateOptions' : 'DeleteOptions';
  const options: Record<string, unknown> = { kind: optionsKind, apiVersion: 'meta.k8s.io/v1' };
  if (a.ctx.dryRun) options.dryRun = ['All'];
  if (a.ctx.fieldManager && a.operation !== 'DELETE') options.fieldManager = a.ctx.fieldManager;
  // A subresource with its own kind (pods/eviction is a policy/v1 Eviction) is reviewed as that kind, as upstream.
  const own = subresourceKind(a);
  return {
    group: own && info === a.resource ? own.group : info.group,
    version: own && info === a.resource ? own.version : info.version,
    kind: own && info === a.resource ? own.kind : info.kind,
    resource: info.plural,
    subresource: f.subresource,
    requestGroup: own ? own.group : a.resource.group,
    requestVersion: own ? own.version : a.resource.version,
    requestKind: own ? own.kind : a.resource.kind,
    requestResource: a.resource.plural,
    name: a.object.metadata.name ?? '',
    namespace: f.namespace,
    operation: a.operation,
    user: a.ctx.user,
    dryRun: a.ctx.dryRun,
    object,
    oldObject,
    options,
  };
}

/** subjectOf's helper: the kind of a subresource's body when it is not the resource's own kind. */
function subresourceKind(a: AdmissionAttributes): { group: string; version: string; kind: string } | undefined {
  const o = a.object;
  if (!a.subresource || typeof o.kind !== 'string' || typeof o.apiVersion !== 'string' || o.kind === a.resource.kind) return undefined;
  const slash = o.apiVersion.indexOf('/');
  return { group: slash < 0 ? '' : o.apiVersion.slice(0, slash), version: slash < 0 ? o.apiVersion : o.apiVersion.slice(slash + 1), kind: o.kind };
}

/** shouldCall returns the invocation of a webhook for a request, or undefined when it does not apply. */
export async function shouldCall(env: AdmissionEnvironment, hook: Webhook, configuration: string, a: AdmissionAttributes): Promise<Invocation | undefined> {
  const f = factsOf(a);
  const labelsOf = async (ns: string) => (await env.namespace(ns))?.metadata.labels;
  if (!(await namespaceSelectorMatches(hook.namespaceSelector, f, labelsOf))) return undefined;
  if (!objectSelectorMatches(hook.objectSelector, f)) return undefined;
  let info: ResourceInfo | undefined;
  if ((hook.rules ?? []).some((r) => ruleMatches(r, f))) info = a.resource;
  else if ((hook.matchPolicy ?? 'Equivalent') === 'Equivalent') {
    // Earlier rules win, as upstream; the request's own resource was checked above.
    const others = env.equivalents(a.resource).slice(1);
    outer: for (const r of hook.rules ?? []) {
      for (const eq of others) {
        if (ruleMatches(r, f, { group: eq.group, version: eq.version, resource: eq.plural })) {
          info = eq;
          break outer;
        }
      }
    }
  }
  if (!info) return undefined;
  const invocation = { hook, configuration, info };
  if (hook.matchConditions?.length) {
    const object = f.object && await env.convert(f.object, a.resource, info);
    const oldObject = f.oldObject && await env.convert(f.oldObject, a.resource, info);
    const request = admissionRequest('', subjectOf(a, info, undefined, undefined));
    const result = evaluateMatchConditions(hook.matchConditions, { object, oldObject, request }, hook.failurePolicy ?? 'Fail');
    if (result.error) throw newForbidden({ group: a.resource.group, resource: a.resource.plural }, a.object.metadata.name ?? '', result.error);
    if (!result.matches) return undefined;
  }
  return invocation;
}

/** MatchResult is upstream's matchconditions.MatchResult. */
export interface MatchResult {
  matches: boolean;
  error?: string;
  failedCondition?: string;
}

/**
 * evaluateMatchConditions is upstream's matchconditions matcher: any false
 * condition skips; evaluation errors (with no false) follow failurePolicy.
 */
export function evaluateMatchConditions(conditions: MatchCondition[], vars: Record<string, unknown>, failurePolicy: string): MatchResult {
  const bindings = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, toCel(v)]));
  const errors: string[] = [];
  for (const c of conditions) {
    const compiled = compileExpression(c.expression);
    if (typeof compiled === 'string') {
      errors.push(`compilation error: ${compiled}`);
      continue;
    }
    const r = compiled.run(bindings);
    if (r.error !== undefined) errors.push(`expression '${c.expression}' resulted in error: ${r.error}`);
    else if (r.value === false) return { matches: false, failedCondition: c.name };
    else if (r.value !== true) errors.push(`expression '${c.expression}' resulted in non-boolean value`);
  }
  if (errors.length) {
    if (failurePolicy === 'Ignore') return { matches: false };
    return { matches: false, error: errors.length === 1 ? errors[0] : `[${errors.join(', ')}]` };
  }
  return { matches: true };
}
