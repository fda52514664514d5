// SPDX-License-Identifier: Apache-2.0
/**
 * Which requests a webhook (or a policy's matchConstraints) is for, as
 * upstream's admission/plugin/webhook/predicates: rules (operations, groups,
 * versions, resources: all, all with subresources, one resource's
 * subresources or one subresource of every resource; scope),
 * the namespaceSelector (against the namespace's labels; a Namespace
 * request uses the object's own; cluster-scoped objects always match) and
 * the objectSelector (object or old object). The admission configuration
 * kinds are exempt, so a broken webhook can always be removed.
 */
import type { RuleWithOperations as TypesRule } from 'kubernetes-types/admissionregistration/v1.js';
import { labelSelectorMatches, type KubeObject, type LabelSelector } from '../../../api/index.js';

/** RuleWithOperations with the fields Go inlines from Rule (kubernetes-types leaves resources and scope out). */
export type RuleWithOperations = TypesRule & { resources?: string[]; scope?: string; resourceNames?: string[] };

/** RequestFacts is what matching reads from an admission request. */
export interface RequestFacts {
  operation: string;
  group: string;
  version: string;
  /** resource is the plural (`deployments`). */
  resource: string;
  subresource: string;
  namespace: string;
  object?: KubeObject;
  oldObject?: KubeObject;
}

/** GroupVersionResource names a served resource. */
export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

const EXEMPT_RESOURCES = new Set(['mutatingwebhookconfigurations', 'validatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings']);

/** isExemptAdmissionConfigurationResource is upstream's rules.IsExemptAdmissionConfigurationResource. */
export function isExemptAdmissionConfigurationResource(f: { group: string; resource: string }): boolean {
  return f.group === 'admissionregistration.k8s.io' && EXEMPT_RESOURCES.has(f.resource);
}

function listMatches(list: string[] | undefined, value: string): boolean {
  return (list ?? []).some((x) => x === '*' || x === value);
}

/** resourceMatches is upstream's Matcher.resource, with its wildcard forms for resource and subresource. */
function resourceMatches(patterns: string[] | undefined, resource: string, subresource: string): boolean {
  const wanted = subresource ? `${resource}/${subresource}` : resource;
  for (const p of patterns ?? []) {
    if (p === '*/*' || p === wanted) return true;
    const [res, sub] = p.split('/', 2);
    if (sub === undefined) {
      if (res === '*' && !subresource) return true;
      continue;
    }
    if (res === '*' && sub === subresource) return true;
    if (sub === '*' && res === resource && subresource) return true;
  }
  return false;
}

/** scopeMatches is upstream's Matcher.scope: a Namespace object is cluster scoped. */
function scopeMatches(scope: string | undefined, f: RequestFacts): boolean {
  if (!scope || scope === '*') return true;
  const isNamespace = f.group === '' && f.resource === 'namespaces';
  if (scope === 'Namespaced') return !isNamespace && f.namespace !== '';
  if (scope === 'Cluster') return isNamespace || f.namespace === '';
  return false;
}

/** ruleMatches is upstream's rules.Matcher.Matches, for the request or an equivalent resource. */
export function ruleMatches(r: RuleWithOperations, f: RequestFacts, gvr: GroupVersionResource = f): boolean {
  return (
    scopeMatches(r.scope, f) &&
    listMatches(r.operations, f.operation) &&
    listMatches(r.apiGroups, gvr.group) &&
    listMatches(r.apiVersions, gvr.version) &&
    resourceMatches(r.resources, gvr.resource, f.subresource)
  );
}

/** excludedBy: a rule list (excludeResourceRules) names the request's resource by name too when resourceNames is set. */
export function namedRuleMatches(r: RuleWithOperations, f: RequestFacts, name: string, gvr: GroupVersionResource = f): boolean {
  if (!ruleMatches(r, f, gvr)) return false;
  return !r.resourceNames?.length || r.resourceNames.includes(name);
}

/** objectSelectorMatches: the object's or the old object's labels match (upstream object.Matcher). */
export function objectSelectorMatches(sel: LabelSelector | undefined, f: RequestFacts): boolean {
  if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && !(sel.matchExpressions ?? []).length)) return true;
  return [f.object, f.oldObject].some((o) => o && labelSelectorMatches(sel, o.metadata.labels ?? {}));
}

/**
 * namespaceSelectorMatches is upstream's namespace.Matcher: cluster-scoped
 * objects other than namespaces always match; a Namespace request matches on
 * its own labels; anything else on its namespace's labels (read by `labelsOf`).
 */
export async function namespaceSelectorMatches(
  sel: LabelSelector | undefined,
  f: RequestFacts,
  labelsOf: (namespace: string) => Promise<Record<string, string> | undefined>,
): Promise<boolean> {
  if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && !(sel.matchExpressions ?? []).length)) return true;
  const isNamespace = f.group === '' && f.resource === 'namespaces' && !f.subresource;
  if (isNamespace) {
    const ns = f.object ?? f.oldObject;
    return labelSelectorMatches(sel, ns?.metadata.labels ?? {});
  }
  if (!f.namespace) return true;
  return labelSelectorMatches(sel, (await labelsOf(f.namespace)) ?? {});
}
