// SPDX-License-Identifier: Apache-2.0
/**
 * Pieces shared by the workload kinds (Deployment, ReplicaSet, StatefulSet,
 * DaemonSet, ReplicationController, Job): template defaulting, the selector
 * rules of apps validation, and small accessors over untyped objects.
 */
import type { PodSpec, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject, type KubeObject } from '../../api/index.js';
import { validateLabelSelector, isEmptySelector, type LabelSelector } from '../../api/index.js';
import { defaultPodSpec } from './pod-defaults.js';

/** specRecord returns obj.spec as a record, creating it when absent so defaulting can fill it. */
export function specRecord(obj: KubeObject): Record<string, unknown> {
  if (!isPlainObject(obj.spec)) obj.spec = {};
  return obj.spec as Record<string, unknown>;
}

/** readSpec returns obj.spec as a record without creating it. */
export function readSpec(obj: KubeObject): Record<string, unknown> {
  return isPlainObject(obj.spec) ? obj.spec : {};
}

/** defaultTemplate applies pod-spec defaults inside a pod template. */
export function defaultTemplate(tpl: unknown): void {
  if (!isPlainObject(tpl)) return;
  const t = tpl as PodTemplateSpec;
  if (isPlainObject(t.spec)) defaultPodSpec(t.spec as PodSpec);
}

/**
 * validateWorkloadSelector checks a required, non-empty label selector.
 * `kindWord` is the word upstream puts in "empty selector is invalid for X"
 * (ReplicaSets say "deployment" upstream too).
 */
export function validateWorkloadSelector(sel: unknown, path: string, kindWord: string): FieldError[] {
  if (sel === undefined || sel === null) return [field.required(path, '')];
  const errs = validateLabelSelector(sel, path);
  if (isPlainObject(sel) && isEmptySelector(sel as LabelSelector)) errs.push(field.invalid(path, sel, `empty selector is invalid for ${kindWord}`));
  return errs;
}

/** selectorOf reads a LabelSelector field, or undefined when malformed. */
export function selectorOf(v: unknown): LabelSelector | undefined {
  return isPlainObject(v) ? (v as LabelSelector) : undefined;
}
