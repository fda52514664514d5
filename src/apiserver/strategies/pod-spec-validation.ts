// SPDX-License-Identifier: Apache-2.0
/**
 * Validation of a PodSpec and of pod templates, as upstream's
 * ValidatePodSpec and ValidatePodTemplateSpec(ForReplicaSet). Shared by Pods
 * and every workload kind.
 */
import type { PodSpec, PodTemplateSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject } from '../../api/index.js';
import { isDNS1123Subdomain, isQualifiedName } from '../../api/index.js';
import { inclusiveRangeError } from '../../api/index.js';
import { validateAnnotations, validateLabels } from '../../api/index.js';
import { labelSelectorMatches, isEmptySelector, type LabelSelector } from '../../api/index.js';
import { validateContainers, validateDNS1123LabelField } from './container-validation.js';
import { validateVolumes } from './volume-validation.js';

const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];

function validateEnum(value: unknown, allowed: string[], path: string): FieldError[] {
  if (value === undefined || value === null || value === '') return [field.required(path, '')];
  return allowed.includes(value as string) ? [] : [field.notSupported(path, value, allowed)];
}

/** validateToleration is one entry of upstream's ValidateTolerations (pods, RuntimeClass scheduling). */
export function validateToleration(t: Toleration, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (t.key) errs.push(...isQualifiedName(t.key).map((m) => field.invalid(`${path}.key`, t.key, m)));
  if (!t.key && t.operator !== 'Exists') {
    errs.push(field.invalid(`${path}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
  }
  if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
    errs.push(field.invalid(`${path}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
  }
  if (t.operator === 'Exists' && t.value) errs.push(field.invalid(`${path}.operator`, t, "value must be empty when `operator` is 'Exists'"));
  else if (t.operator && t.operator !== 'Equal' && t.operator !== 'Exists') errs.push(field.notSupported(`${path}.operator`, t.operator, ['Equal', 'Exists']));
  if (t.effect && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) {
    errs.push(field.notSupported(`${path}.effect`, t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
  }
  return errs;
}

function validateNames(spec: PodSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const subdomainField = (v: string | undefined, p: string) => (v ? isDNS1123Subdomain(v).map((m) => field.invalid(p, v, m)) : []);
  errs.push(...subdomainField(spec.serviceAccountName, `${path}.serviceAccountName`));
  errs.push(...subdomainField(spec.nodeName, `${path}.nodeName`));
  errs.push(...subdomainField(spec.priorityClassName, `${path}.priorityClassName`));
  // ValidateRuntimeClassName: the RuntimeClass's name, a DNS subdomain.
  errs.push(...subdomainField(spec.runtimeClassName ?? undefined, `${path}.runtimeClassName`));
  if (spec.hostname) errs.push(...validateDNS1123LabelField(spec.hostname, `${path}.hostname`));
  if (spec.subdomain) errs.push(...validateDNS1123LabelField(spec.subdomain, `${path}.subdomain`));
  return errs;
}

/**
 * validatePodSpec checks a pod spec (upstream ValidatePodSpec), after
 * defaulting. `extraVolumes` are volume names that exist without being in
 * spec.volumes (a StatefulSet's volumeClaimTemplates, which its controller
 * adds to each pod).
 */
export function validatePodSpec(specIn: unknown, path: string, extraVolumes: readonly string[] = []): FieldError[] {
  if (!isPlainObject(specIn)) return [field.required(path, '')];
  const spec = specIn as unknown as PodSpec;
  const { errs, names } = validateVolumes(spec.volumes, `${path}.volumes`);
  for (const v of extraVolumes) names.add(v);
  const containerNames = new Set<string>();
  errs.push(...validateContainers(spec.containers, 'regular', names, containerNames, `${path}.containers`));
  errs.push(...validateContainers(spec.initContainers, 'init', names, containerNames, `${path}.initContainers`));
  errs.push(...validateEnum(spec.restartPolicy, restartPolicies, `${path}.restartPolicy`));
  errs.push(...validateEnum(spec.dnsPolicy, dnsPolicies, `${path}.dnsPolicy`));
  if (spec.dnsPolicy === 'None' && !spec.dnsConfig?.nameservers?.length) {
    errs.push(field.required(`${path}.dnsConfig.nameservers`, 'must provide at least one DNS nameserver when DNS policy is None'));
  }
  errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  errs.push(...validateNames(spec, path));
  const ads = spec.activeDeadlineSeconds;
  if (ads !== undefined && (ads < 1 || ads > 2147483647)) errs.push(field.invalid(`${path}.activeDeadlineSeconds`, ads, inclusiveRangeError(1, 2147483647)));
  (spec.tolerations ?? []).forEach((t, i) => errs.push(...validateToleration(t, `${path}.tolerations[${i}]`)));
  (spec.imagePullSecrets ?? []).forEach((s, i) => {
    if (!s.name) errs.push(field.required(`${path}.imagePullSecrets[${i}].name`, ''));
  });
  if (spec.preemptionPolicy && !['Never', 'PreemptLowerPriority'].includes(spec.preemptionPolicy)) {
    errs.push(field.notSupported(`${path}.preemptionPolicy`, spec.preemptionPolicy, ['Never', 'PreemptLowerPriority']));
  }
  return errs;
}

/** validatePodTemplateSpec checks a template's labels, annotations and spec (upstream ValidatePodTemplateSpec). */
export function validatePodTemplateSpec(tpl: unknown, path: string, extraVolumes: readonly string[] = []): FieldError[] {
  if (!isPlainObject(tpl)) return [field.required(path, '')];
  const t = tpl as PodTemplateSpec;
  // Upstream reports template label errors at `<path>.labels`, without `.metadata`.
  const errs = [...validateLabels(t.metadata?.labels, `${path}.labels`), ...validateAnnotations(t.metadata?.annotations, `${path}.annotations`)];
  errs.push(...validatePodSpec(t.spec, `${path}.spec`, extraVolumes));
  if (t.spec?.ephemeralContainers?.length) errs.push(field.forbidden(`${path}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  return errs;
}

/** TemplateForControllerOptions says what a workload kind requires of its template. */
export interface TemplateForControllerOptions {
  /** restart policies the kind allows (ReplicaSet-like kinds: only Always). */
  restartPolicies: string[];
  /** whether activeDeadlineSeconds is forbidden (ReplicaSet-like kinds). */
  forbidActiveDeadline: boolean;
  /** the kind name used in the activeDeadlineSeconds message. */
  kindName?: string;
  /** volume names the controller adds to each pod (StatefulSet volumeClaimTemplates). */
  claimVolumes?: readonly string[];
}

/**
 * validatePodTemplateForSelector checks a workload template: its labels must
 * match the selector, and restart policy as the kind needs
 * (ValidatePodTemplateSpecForReplicaSet and friends).
 */
export function validatePodTemplateForSelector(tpl: unknown, selector: LabelSelector | undefined, path: string, opts: TemplateForControllerOptions): FieldError[] {
  if (!isPlainObject(tpl)) return [field.required(path, '')];
  const t = tpl as PodTemplateSpec;
  const errs: FieldError[] = [];
  const labels = t.metadata?.labels ?? {};
  if (selector && !isEmptySelector(selector) && !labelSelectorMatches(selector, labels)) {
    errs.push(field.invalid(`${path}.metadata.labels`, labels, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(t, path, opts.claimVolumes));
  const rp = t.spec?.restartPolicy;
  if (rp && restartPolicies.includes(rp) && !opts.restartPolicies.includes(rp)) {
    errs.push(field.notSupported(`${path}.spec.restartPolicy`, rp, opts.restartPolicies));
  }
  if (opts.forbidActiveDeadline && t.spec?.activeDeadlineSeconds !== undefined) {
    errs.push(field.forbidden(`${path}.spec.activeDeadlineSeconds`, `activeDeadlineSeconds in ${opts.kindName ?? 'ReplicaSet'} is not Supported`));
  }
  return errs;
}
