// SPDX-License-Identifier: Apache-2.0
/**
 * The strategy of `pods/ephemeralcontainers` (upstream
 * podEphemeralContainersStrategy), which `kubectl debug` patches: a write
 * changes spec.ephemeralContainers and nothing else, may add containers but
 * never change or remove one, and each new container follows
 * ValidateEphemeralContainers (a unique name, an image, no ports, probes,
 * lifecycle or resources).
 */
import type { Container, EphemeralContainer, PodSpec } from 'kubernetes-types/core/v1.js';
import { field, type FieldError } from '../../machinery/index.js';
import { deepClone, deepEqual, isPlainObject, type KubeObject } from '../../api/index.js';
import type { SubresourceStrategy } from '../strategy.js';
import { defaultContainer } from './pod-defaults.js';

function specOf(obj: KubeObject): PodSpec {
  return (isPlainObject(obj.spec) ? obj.spec : {}) as unknown as PodSpec;
}

/** Fields an ephemeral container may not set (upstream validateEphemeralContainers' forbidden list). */
const FORBIDDEN: (keyof EphemeralContainer)[] = ['lifecycle', 'livenessProbe', 'ports', 'readinessProbe', 'resources', 'resizePolicy', 'restartPolicy', 'startupProbe'];

function validateEphemeral(spec: PodSpec): FieldError[] {
  const errs: FieldError[] = [];
  const others = new Set([...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c: Container) => c.name));
  const seen = new Set<string>();
  (spec.ephemeralContainers ?? []).forEach((c, i) => {
    const at = `spec.ephemeralContainers[${i}]`;
    if (!c.name) errs.push(field.required(`${at}.name`, ''));
    else if (others.has(c.name) || seen.has(c.name)) errs.push(field.duplicate(`${at}.name`, c.name));
    else seen.add(c.name);
    if (!c.image) errs.push(field.required(`${at}.image`, ''));
    for (const k of FORBIDDEN) {
      const v = c[k];
      const empty = v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isPlainObject(v) && Object.keys(v).length === 0);
      if (!empty) errs.push(field.forbidden(`${at}.${k}`, 'cannot be set for an Ephemeral Container'));
    }
    if (c.targetContainerName && !(spec.containers ?? []).some((x) => x.name === c.targetContainerName) && !(spec.initContainers ?? []).some((x) => x.name === c.targetContainerName)) {
      errs.push(field.notFound(`${at}.targetContainerName`, c.targetContainerName));
    }
  });
  return errs;
}

/** podEphemeralContainersStrategy is the SubresourceStrategy of pods/ephemeralcontainers. */
export const podEphemeralContainersStrategy: SubresourceStrategy = {
  prepareForUpdate(requested, old) {
    // Everything but spec.ephemeralContainers comes from the stored pod (dropNonEphemeralContainerUpdates).
    const next = deepClone(old);
    const containers = (specOf(requested).ephemeralContainers ?? []).map((c) => {
      const copy = deepClone(c);
      defaultContainer(copy as Container);
      return copy;
    });
    (next.spec as PodSpec & Record<string, unknown>).ephemeralContainers = containers;
    return next;
  },
  validateUpdate(next, old) {
    const errs = validateEphemeral(specOf(next));
    const byName = new Map((specOf(next).ephemeralContainers ?? []).map((c) => [c.name, c]));
    for (const o of specOf(old).ephemeralContainers ?? []) {
      const n = byName.get(o.name);
      if (!n) errs.push(field.forbidden('spec.ephemeralContainers', `existing ephemeral containers ${JSON.stringify(o.name)} may not be removed\n`));
      else if (!deepEqual(n, o)) errs.push(field.forbidden(`spec.ephemeralContainers[${o.name}]`, `existing ephemeral containers ${JSON.stringify(o.name)} may not be changed`));
    }
    return errs;
  },
};
