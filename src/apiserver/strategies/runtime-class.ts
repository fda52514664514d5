// SPDX-License-Identifier: Apache-2.0
/**
 * The RuntimeClass strategy (upstream pkg/registry/node/runtimeclass, with
 * pkg/apis/node/validation). A RuntimeClass has no spec: `handler` is a
 * top-level field naming the CRI runtime handler, a DNS-1123 label fixed
 * after creation; `overhead.podFixed` is checked as a container's limits are,
 * `scheduling` as a pod's nodeSelector and tolerations are, with no two
 * tolerations alike.
 */
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import type { Toleration } from 'kubernetes-types/core/v1.js';
import { field, type FieldError } from '../../machinery/index.js';
import { isDNS1123Label, isPlainObject, validateImmutableField, validateLabels } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { validateResourceRequirements } from './container-validation.js';
import { validateToleration } from './pod-spec-validation.js';

/** validateRuntimeClass is upstream's ValidateRuntimeClass (metadata is checked by the registry). */
export function validateRuntimeClass(rc: RuntimeClass): FieldError[] {
  const errs: FieldError[] = [];
  // Upstream reports an empty handler through the label rule too (NameIsDNSLabel), not as Required.
  const handler = typeof rc.handler === 'string' ? rc.handler : '';
  for (const msg of isDNS1123Label(handler)) errs.push(field.invalid('handler', handler, msg));
  // validateOverhead reuses the container limits rules, so its paths read overhead.limits[<name>].
  const { overhead, scheduling } = rc;
  if (isPlainObject(overhead)) errs.push(...validateResourceRequirements({ limits: rc.overhead?.podFixed }, 'overhead'));
  if (scheduling && isPlainObject(scheduling)) {
    errs.push(...validateLabels(scheduling.nodeSelector, 'scheduling.nodeSelector'));
    errs.push(...validateTolerations(Array.isArray(scheduling.tolerations) ? scheduling.tolerations : [], 'scheduling.tolerations'));
  }
  return errs;
}

/** validateTolerations: each as a pod's, and no two with the same key, operator, value and effect (upstream's list keys). */
function validateTolerations(tolerations: Toleration[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  tolerations.forEach((t, i) => {
    errs.push(...validateToleration(t, `${path}[${i}]`));
    const key = JSON.stringify([t.key ?? '', t.operator ?? '', t.value ?? '', t.effect ?? '']);
    if (seen.has(key)) errs.push(field.duplicate(`${path}[${i}]`, t));
    else seen.add(key);
  });
  return errs;
}

/** runtimeClassStrategy is the ResourceStrategy of node.k8s.io/v1 RuntimeClasses. */
export const runtimeClassStrategy: ResourceStrategy = {
  validate(obj) {
    return validateRuntimeClass(obj as unknown as RuntimeClass);
  },
  validateUpdate(obj, old) {
    // ValidateRuntimeClassUpdate checks the handler only, not the rest again.
    return validateImmutableField((obj as unknown as RuntimeClass).handler, (old as unknown as RuntimeClass).handler, 'handler');
  },
};
