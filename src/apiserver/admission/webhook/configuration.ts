// SPDX-License-Identifier: Apache-2.0
/**
 * Mutating and ValidatingWebhookConfigurations (admissionregistration.k8s.io/v1):
 * upstream's defaults (SetDefaults_ValidatingWebhook / _MutatingWebhook:
 * failurePolicy Fail, matchPolicy Equivalent, empty selectors, timeout 10 s,
 * reinvocationPolicy Never, rule scope "*", service port 443) and validation
 * (pkg/apis/admissionregistration/validation: ValidateMutatingWebhookConfiguration
 * and ValidateValidatingWebhookConfiguration) with upstream's field paths and
 * messages.
 */
import type { MutatingWebhook, ValidatingWebhook, WebhookClientConfig } from 'kubernetes-types/admissionregistration/v1.js';
import { isDNS1035Label, isDNS1123Subdomain, isPlainObject, isQualifiedName, validateLabelSelector, type KubeObject } from '../../../api/index.js';
import { field, type FieldError } from '../../../machinery/index.js';
import type { ResourceStrategy } from '../../strategy.js';
import { compileExpression } from '../cel/expressions.js';
import type { RuleWithOperations } from './rules.js';

/** Webhook is either kind's webhook, its rules with the fields kubernetes-types leaves out. */
export type Webhook = (Omit<MutatingWebhook, 'rules'> | Omit<ValidatingWebhook, 'rules'>) & { rules?: RuleWithOperations[]; reinvocationPolicy?: string };

const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
const REVIEW_VERSIONS = ['v1', 'v1beta1'];
const MAX_MATCH_CONDITIONS = 64;

/** defaultWebhook fills what upstream's SetDefaults_*Webhook fill. */
function defaultWebhook(h: Webhook, mutating: boolean): void {
  h.failurePolicy ??= 'Fail';
  h.matchPolicy ??= 'Equivalent';
  h.namespaceSelector ??= {};
  h.objectSelector ??= {};
  h.timeoutSeconds ??= 10;
  if (mutating) h.reinvocationPolicy ??= 'Never';
  for (const r of h.rules ?? []) r.scope ??= '*';
  if (h.clientConfig?.service) h.clientConfig.service.port ??= 443;
}

function webhooksOf(obj: KubeObject): Webhook[] {
  return Array.isArray(obj.webhooks) ? (obj.webhooks as Webhook[]) : [];
}

/** validateWebhooks checks `webhooks` of a configuration. */
function validateWebhooks(obj: KubeObject, mutating: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  webhooksOf(obj).forEach((h, i) => {
    const path = `webhooks[${i}]`;
    if (!isPlainObject(h)) return void errs.push(field.invalid(path, h, 'must be an object'));
    if (typeof h.name === 'string' && h.name !== '') {
      if (seen.has(h.name)) errs.push(field.duplicate(`${path}.name`, h.name));
      seen.add(h.name);
    }
    errs.push(...validateWebhook(h, path, mutating));
  });
  return errs;
}

function validateWebhook(h: Webhook, path: string, mutating: boolean): FieldError[] {
  const errs: FieldError[] = [];
  // Webhook names are fully qualified (at least three DNS segments), as upstream requires.
  if (!h.name) errs.push(field.required(`${path}.name`));
  else {
    for (const m of isDNS1123Subdomain(h.name)) errs.push(field.invalid(`${path}.name`, h.name, m));
    if (h.name.split('.').length < 3) errs.push(field.invalid(`${path}.name`, h.name, 'should be a domain with at least three segments separated by dots'));
  }
  (h.rules ?? []).forEach((r, i) => errs.push(...validateRule(r, `${path}.rules[${i}]`)));
  if (h.failurePolicy !== undefined && h.failurePolicy !== 'Fail' && h.failurePolicy !== 'Ignore') errs.push(field.notSupported(`${path}.failurePolicy`, h.failurePolicy, ['Fail', 'Ignore']));
  if (h.matchPolicy !== undefined && h.matchPolicy !== 'Equivalent' && h.matchPolicy !== 'Exact') errs.push(field.notSupported(`${path}.matchPolicy`, h.matchPolicy, ['Equivalent', 'Exact']));
  if (!h.sideEffects) errs.push(field.required(`${path}.sideEffects`, 'must specify one of None, NoneOnDryRun'));
  else if (h.sideEffects !== 'None' && h.sideEffects !== 'NoneOnDryRun') errs.push(field.notSupported(`${path}.sideEffects`, h.sideEffects, ['None', 'NoneOnDryRun']));
  if (h.timeoutSeconds !== undefined && (h.timeoutSeconds > 30 || h.timeoutSeconds < 1)) {
    errs.push(field.invalid(`${path}.timeoutSeconds`, h.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'));
  }
  errs.push(...validateLabelSelector(h.namespaceSelector, `${path}.namespaceSelector`));
  errs.push(...validateLabelSelector(h.objectSelector, `${path}.objectSelector`));
  errs.push(...validateReviewVersions(h.admissionReviewVersions, `${path}.admissionReviewVersions`));
  errs.push(...validateClientConfig(h.clientConfig, `${path}.clientConfig`));
  if (mutating) {
    const rp = h.reinvocationPolicy;
    if (rp !== undefined && rp !== 'Never' && rp !== 'IfNeeded') errs.push(field.notSupported(`${path}.reinvocationPolicy`, rp, ['IfNeeded', 'Never']));
  }
  errs.push(...validateMatchConditions(h.matchConditions, `${path}.matchConditions`));
  return errs;
}

export function validateReviewVersions(versions: string[] | undefined, path: string): FieldError[] {
  if (!versions?.length) return [field.required(path, `must specify one of ${REVIEW_VERSIONS.join(', ')}`)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    if (seen.has(v)) errs.push(field.invalid(`${path}[${i}]`, v, 'duplicate version'));
    seen.add(v);
    for (const m of isDNS1035Label(v)) errs.push(field.invalid(`${path}[${i}]`, v, m));
  });
  if (!versions.some((v) => REVIEW_VERSIONS.includes(v))) errs.push(field.invalid(path, versions, `must include at least one of ${REVIEW_VERSIONS.join(', ')}`));
  return errs;
}

/** validateClientConfig is upstream's webhook.ValidateWebhookURL / ValidateWebhookService. */
export function validateClientConfig(cc: WebhookClientConfig | undefined, path: string): FieldError[] {
  const hasURL = typeof cc?.url === 'string';
  const hasService = !!cc?.service;
  if (hasURL === hasService) return [field.required(path, 'exactly one of url or service is required')];
  const errs: FieldError[] = [];
  if (hasURL) {
    const raw = cc!.url!;
    let u: URL | undefined;
    try {
      u = new URL(raw);
    } catch {
      errs.push(field.invalid(`${path}.url`, raw, 'host must be specified'));
    }
    if (u) {
      if (u.protocol !== 'https:') errs.push(field.invalid(`${path}.url`, raw, "'https' is the only allowed URL scheme"));
      if (!u.hostname) errs.push(field.invalid(`${path}.url`, raw, 'host must be specified'));
      if (u.username || u.password) errs.push(field.invalid(`${path}.url`, raw, 'user information is not permitted in the URL'));
      if (u.hash || raw.includes('#')) errs.push(field.invalid(`${path}.url`, raw, 'fragments are not permitted in the URL'));
      if (u.search || raw.includes('?')) errs.push(field.invalid(`${path}.url`, raw, 'query parameters are not permitted in the URL'));
    }
  } else {
    const s = cc!.service!;
    const sp = `${path}.service`;
    if (!s.name) errs.push(field.required(`${sp}.name`, 'service name is required'));
    if (!s.namespace) errs.push(field.required(`${sp}.namespace`, 'service namespace is required'));
    if (s.path !== undefined && s.path !== '') {
      if (!s.path.startsWith('/')) errs.push(field.invalid(`${sp}.path`, s.path, "must start with a '/'"));
      else if (s.path.split('/').slice(1).some((seg, i, all) => seg === '' && i < all.length - 1)) errs.push(field.invalid(`${sp}.path`, s.path, 'segment[1]: may not be empty'));
    }
    if (s.port !== undefined && (s.port < 1 || s.port > 65535)) errs.push(field.invalid(`${sp}.port`, s.port, 'port is not valid: must be between 1 and 65535, inclusive'));
  }
  if (cc!.caBundle !== undefined && cc!.caBundle !== '' && !/^[A-Za-z0-9+/]*={0,2}$/.test(cc!.caBundle)) {
    errs.push(field.invalid(`${path}.caBundle`, cc!.caBundle, 'illegal base64 data'));
  }
  return errs;
}

/** validateRule is upstream's validateRuleWithOperations (operations, groups, versions, resources, scope). */
export function validateRule(r: RuleWithOperations, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const ops = r.operations ?? [];
  if (ops.length === 0) errs.push(field.required(`${path}.operations`));
  if (ops.length > 1 && ops.includes('*')) errs.push(field.invalid(`${path}.operations`, ops, "if '*' is present, must not specify other operations"));
  ops.forEach((op, i) => {
    if (!OPERATIONS.includes(op)) errs.push(field.notSupported(`${path}.operations[${i}]`, op, OPERATIONS));
  });
  const groups = r.apiGroups ?? [];
  if (groups.length === 0) errs.push(field.required(`${path}.apiGroups`));
  if (groups.length > 1 && groups.includes('*')) errs.push(field.invalid(`${path}.apiGroups`, groups, "if '*' is present, must not specify other API groups"));
  const versions = r.apiVersions ?? [];
  if (versions.length === 0) errs.push(field.required(`${path}.apiVersions`));
  if (versions.length > 1 && versions.includes('*')) errs.push(field.invalid(`${path}.apiVersions`, versions, "if '*' is present, must not specify other API versions"));
  versions.forEach((v, i) => {
    if (v === '') errs.push(field.required(`${path}.apiVersions[${i}]`, 'version must not be empty'));
  });
  errs.push(...validateResources(r.resources ?? [], `${path}.resources`));
  if (r.scope !== undefined && !['*', 'Cluster', 'Namespaced'].includes(r.scope)) errs.push(field.notSupported(`${path}.scope`, r.scope, ['*', 'Cluster', 'Namespaced']));
  return errs;
}

function validateResources(resources: string[], path: string): FieldError[] {
  if (resources.length === 0) return [field.required(path)];
  const errs: FieldError[] = [];
  // Upstream: '*/*' excludes anything else; '*' excludes other main resources; '*/x' excludes 'y/x'.
  const subsWithWildcard = new Set<string>();
  const hasAll = resources.includes('*/*');
  const hasStar = resources.includes('*');
  for (const r of resources) if (r.startsWith('*/')) subsWithWildcard.add(r.slice(2));
  resources.forEach((r, i) => {
    const p = `${path}[${i}]`;
    if (r === '') return void errs.push(field.required(p, 'resource must not be empty'));
    if (hasAll && r !== '*/*') return void errs.push(field.invalid(p, r, "if '*/*' is present, must not specify other resources"));
    const [res, sub] = r.split('/', 2);
    if (hasStar && r !== '*' && sub === undefined) return void errs.push(field.invalid(p, r, "if '*' is present, must not specify other resources without subresources"));
    if (sub !== undefined && res !== '*' && subsWithWildcard.has(sub)) errs.push(field.invalid(p, r, `if '*/${sub}' is present, must not specify ${r}`));
  });
  return errs;
}

/** validateMatchConditions checks names, expressions and that each compiles (upstream validateMatchConditions). */
export function validateMatchConditions(conditions: { name: string; expression: string }[] | undefined, path: string): FieldError[] {
  const list = conditions ?? [];
  const errs: FieldError[] = [];
  if (list.length > MAX_MATCH_CONDITIONS) errs.push(field.tooMany(path, list.length, MAX_MATCH_CONDITIONS));
  const seen = new Set<string>();
  list.forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (!c.name) errs.push(field.required(`${p}.name`));
    else {
      for (const m of isQualifiedName(c.name)) errs.push(field.invalid(`${p}.name`, c.name, m));
      if (seen.has(c.name)) errs.push(field.duplicate(`${p}.name`, c.name));
      seen.add(c.name);
    }
    if (!c.expression?.trim()) errs.push(field.required(`${p}.expression`));
    else {
      const compiled = compileExpression(c.expression);
      if (typeof compiled === 'string') errs.push(field.invalid(`${p}.expression`, c.expression, compiled));
    }
  });
  return errs;
}

function webhookStrategy(mutating: boolean): ResourceStrategy {
  return {
    default(obj) {
      for (const h of webhooksOf(obj)) if (isPlainObject(h)) defaultWebhook(h, mutating);
    },
    validate: (obj) => validateWebhooks(obj, mutating),
  };
}

/** The strategies of the two configuration kinds. */
export const mutatingWebhookConfigurationStrategy = webhookStrategy(true);
export const validatingWebhookConfigurationStrategy = webhookStrategy(false);
