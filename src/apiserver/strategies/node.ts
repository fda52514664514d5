// SPDX-License-Identifier: Apache-2.0
/**
 * The Node strategy: allocatable defaults to capacity, quantities are
 * canonical, taints are well-formed and unique by key and effect, and
 * podCIDR/providerID can only be set once (upstream ValidateNode(Update)).
 */
import type { NodeSpec, Taint } from 'kubernetes-types/core/v1.js';
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject, type KubeObject } from '../../api/index.js';
import { isQualifiedName, isValidLabelValue } from '../../api/index.js';
import { isValidCIDR } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { canonicalizeResourceList } from './pod-defaults.js';

const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** validateTaints checks node taints (upstream validateNodeTaints). */
export function validateTaints(taints: Taint[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (taints ?? []).forEach((t, i) => {
    const at = `${path}[${i}]`;
    errs.push(...isQualifiedName(t.key ?? '').map((m) => field.invalid(`${at}.key`, t.key ?? '', m)));
    if (t.value) errs.push(...isValidLabelValue(t.value).map((m) => field.invalid(`${at}.value`, t.value, m)));
    if (!t.effect) errs.push(field.required(`${at}.effect`, ''));
    else if (!taintEffects.includes(t.effect)) errs.push(field.notSupported(`${at}.effect`, t.effect, taintEffects));
    const key = `${t.key}/${t.effect}`;
    if (seen.has(key)) errs.push(field.duplicate(at, t));
    seen.add(key);
  });
  return errs;
}

function specOf(obj: KubeObject): NodeSpec {
  return (isPlainObject(obj.spec) ? obj.spec : {}) as NodeSpec;
}

/** nodeStrategy is the ResourceStrategy of core/v1 Nodes. */
export const nodeStrategy: ResourceStrategy = {
  default(obj) {
    if (!isPlainObject(obj.status)) return;
    canonicalizeResourceList(obj.status.capacity);
    canonicalizeResourceList(obj.status.allocatable);
    if (obj.status.allocatable === undefined && isPlainObject(obj.status.capacity)) obj.status.allocatable = { ...obj.status.capacity };
  },
  validate(obj) {
    const spec = specOf(obj);
    const errs = validateTaints(spec.taints, 'spec.taints');
    const cidrs = spec.podCIDRs ?? (spec.podCIDR ? [spec.podCIDR] : []);
    cidrs.forEach((c, i) => errs.push(...isValidCIDR(c).map((m) => field.invalid(`spec.podCIDRs[${i}]`, c, m))));
    return errs;
  },
  validateUpdate(obj, old) {
    const spec = specOf(obj);
    const oldSpec = specOf(old);
    const errs: FieldError[] = [];
    if (oldSpec.podCIDR && spec.podCIDR !== oldSpec.podCIDR) errs.push(field.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
    if (oldSpec.providerID && spec.providerID !== oldSpec.providerID) errs.push(field.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
    return errs;
  },
};
