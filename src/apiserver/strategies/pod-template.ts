// SPDX-License-Identifier: Apache-2.0
/**
 * The PodTemplate strategy (core/v1, upstream podTemplateStrategy): the
 * template's pod spec defaulted as in every workload, and
 * ValidatePodTemplate: a template spec with pod rules and no ephemeral
 * containers. metadata.generation tracks template changes.
 */
import type { PodSpec } from 'kubernetes-types/core/v1.js';
import { isPlainObject } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { defaultPodSpec } from './pod-defaults.js';
import { validatePodTemplateSpec } from './pod-spec-validation.js';

/** podTemplateStrategy is the ResourceStrategy of core/v1 PodTemplates. */
export const podTemplateStrategy: ResourceStrategy = {
  default(obj) {
    const tpl = obj.template;
    if (isPlainObject(tpl) && isPlainObject(tpl.spec)) defaultPodSpec(tpl.spec as unknown as PodSpec);
  },
  validate(obj) {
    return validatePodTemplateSpec(obj.template, 'template');
  },
};
