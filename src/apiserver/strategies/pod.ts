// SPDX-License-Identifier: Apache-2.0
/**
 * The Pod strategy, as upstream's `pkg/registry/core/pod/strategy.go` and
 * ValidatePodCreate/ValidatePodUpdate: defaults, the initial Pending status
 * with its QoS class, and the narrow set of spec fields an update may change.
 */
import type { Container, Pod, PodSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { field, type FieldError } from '../../machinery/index.js';
import type { KubeObject } from '../../api/index.js';
import { isPlainObject, deepClone } from '../../api/index.js';
import { deepEqual } from '../../api/index.js';
import { tryParseQuantity, Quantity } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { defaultPodOnly, defaultPodSpec } from './pod-defaults.js';
import { validatePodSpec } from './pod-spec-validation.js';
import { describeSpecDiff } from './spec-diff.js';
import { podEphemeralContainersStrategy } from './pod-ephemeral-containers.js';

/** POD_UPDATE_FORBIDDEN_MSG is the head of upstream's message for a disallowed pod spec change. */
export const POD_UPDATE_FORBIDDEN_MSG =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function sumResources(containers: Container[], which: 'requests' | 'limits'): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const c of containers) {
    for (const [name, v] of Object.entries(c.resources?.[which] ?? {})) {
      if (name !== 'cpu' && name !== 'memory') continue;
      const q = tryParseQuantity(v);
      if (typeof q === 'string' || q.sign() <= 0) continue;
      out.set(name, (out.get(name) ?? new Quantity(0n)).add(q));
    }
  }
  return out;
}

/** podQOSClass computes a pod's QoS class from cpu and memory requests and limits (upstream qos.GetPodQOS). */
export function podQOSClass(spec: PodSpec | undefined): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  const requests = sumResources(containers, 'requests');
  const limits = sumResources(containers, 'limits');
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  let guaranteed = containers.every((c) => {
    const l = c.resources?.limits ?? {};
    return 'cpu' in l && 'memory' in l;
  });
  for (const [name, q] of requests) if (!limits.get(name) || limits.get(name)!.cmp(q) !== 0) guaranteed = false;
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

const defaultTolerationKeys = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

/**
 * addDefaultTolerations does what upstream's DefaultTolerationSeconds
 * admission plugin adds to every new pod: 300s NoExecute tolerations for
 * not-ready and unreachable nodes, unless the pod already tolerates them.
 * (The ServiceAccount and Priority plugins live in src/apiserver/admission.)
 */
function addDefaultTolerations(spec: PodSpec): void {
  const tolerations: Toleration[] = spec.tolerations ?? [];
  for (const key of defaultTolerationKeys) {
    const covered = tolerations.some((t) => (t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'));
    if (!covered) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  spec.tolerations = tolerations;
}

function tolerationsOnlyAdded(oldT: Toleration[], newT: Toleration[]): boolean {
  const strip = (t: Toleration) => ({ ...t, tolerationSeconds: undefined });
  return oldT.every((o) => newT.some((n) => deepEqual(strip(o), strip(n))));
}

/** validatePodSpecUpdate enforces which spec fields may change on a pod update (ValidatePodUpdate). */
export function validatePodSpecUpdate(newSpec: PodSpec, oldSpec: PodSpec): FieldError[] {
  const errs: FieldError[] = [];
  (newSpec.containers ?? []).forEach((c, i) => {
    if (!c.image) errs.push(field.required(`spec.containers[${i}].image`, ''));
  });
  (newSpec.initContainers ?? []).forEach((c, i) => {
    if (!c.image) errs.push(field.required(`spec.initContainers[${i}].image`, ''));
  });
  const oldAds = oldSpec.activeDeadlineSeconds;
  const newAds = newSpec.activeDeadlineSeconds;
  if (oldAds !== undefined && newAds === undefined) {
    errs.push(field.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  } else if (oldAds !== undefined && newAds !== undefined && newAds > oldAds) {
    errs.push(field.invalid('spec.activeDeadlineSeconds', newAds, 'must be less than or equal to previous value'));
  }
  if (!tolerationsOnlyAdded(oldSpec.tolerations ?? [], newSpec.tolerations ?? [])) {
    errs.push(field.forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
  }
  // Overlay the mutable fields of the new spec onto the old one; anything left different is forbidden.
  const merged = deepClone(oldSpec);
  const copyImages = (to: Container[] | undefined, from: Container[] | undefined) => {
    if (!to || !from || to.length !== from.length) return;
    to.forEach((c, i) => (c.image = from[i].image));
  };
  copyImages(merged.containers, newSpec.containers);
  copyImages(merged.initContainers, newSpec.initContainers);
  merged.activeDeadlineSeconds = newSpec.activeDeadlineSeconds;
  merged.tolerations = newSpec.tolerations;
  const oldGrace = oldSpec.terminationGracePeriodSeconds;
  if (oldGrace !== undefined && oldGrace < 0 && newSpec.terminationGracePeriodSeconds === 1) merged.terminationGracePeriodSeconds = 1;
  if (!deepEqual(merged, newSpec)) {
    const detail = `${POD_UPDATE_FORBIDDEN_MSG}\n${describeSpecDiff('core.PodSpec', merged as unknown as Record<string, unknown>, newSpec as unknown as Record<string, unknown>)}`;
    errs.push(field.forbidden('spec', detail));
  }
  return errs;
}

function specOf(obj: KubeObject): PodSpec {
  return (isPlainObject(obj.spec) ? obj.spec : {}) as unknown as PodSpec;
}

/** podStrategy is the ResourceStrategy of core/v1 Pods. */
export const podStrategy: ResourceStrategy = {
  subresources: { ephemeralcontainers: podEphemeralContainersStrategy },
  default(obj) {
    if (!isPlainObject(obj.spec)) return;
    defaultPodSpec(obj.spec as unknown as PodSpec);
    defaultPodOnly(obj.spec as unknown as PodSpec);
  },
  prepareForCreate(obj) {
    // Defaults are idempotent; applying them here makes the QoS class right whatever order the registry calls us in.
    podStrategy.default?.(obj);
    const spec = specOf(obj);
    if (isPlainObject(obj.spec)) addDefaultTolerations(spec);
    obj.status = { phase: 'Pending', qosClass: podQOSClass(spec) };
  },
  validate(obj) {
    return validatePodSpec(obj.spec, 'spec');
  },
  validateUpdate(obj, old) {
    return validatePodSpecUpdate(specOf(obj), specOf(old));
  },
  validateStatusUpdate(obj) {
    const status = (obj as unknown as Pod).status;
    const errs: FieldError[] = [];
    (status?.podIPs ?? []).forEach((ip, i) => {
      if (ip.ip && !/^[0-9a-fA-F.:]+$/.test(ip.ip)) errs.push(field.invalid(`status.podIPs[${i}].ip`, ip.ip, 'must be a valid IP address'));
    });
    return errs;
  },
};
