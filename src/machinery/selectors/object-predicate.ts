// SPDX-License-Identifier: Apache-2.0
/**
 * Turns `labelSelector` / `fieldSelector` parameters into one predicate over
 * objects, checking field selectors against the fields each kind supports
 * (400 for an unsupported one, as upstream).
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { fromLabelSelector, labelSelectorToString, matchesLabels, parseLabelSelector } from './label-selector.js';
import { matchesFields, parseFieldSelector, validateFieldSelector } from './field-selector.js';

/** SelectableObject is any API object (api's KubeObject), as far as selection reads it. */
export interface SelectableObject {
  metadata: { name?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/**
 * buildPredicate returns undefined when nothing is selected on (the fast path);
 * `name` narrows to one object (a watch on `.../pods/NAME` or fieldSelector
 * metadata.name, as kubectl wait uses).
 */
export function buildPredicate(info: { group: string; kind: string; selectableFields?: readonly string[] }, labelSelector?: string, fieldSelector?: string, name?: string): ((obj: SelectableObject) => boolean) | undefined {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : undefined;
  const gk = { group: info.group, kind: info.kind };
  const fields = fieldSelector ? validateFieldSelector(parseFieldSelector(fieldSelector), info.group, info.kind, info.selectableFields) : undefined;
  if (!labels && !fields && !name) return undefined;
  return (obj) => {
    if (name && obj.metadata.name !== name) return false;
    if (labels && !matchesLabels(labels, obj.metadata.labels ?? {})) return false;
    if (fields && !matchesFields(fields, obj, gk)) return false;
    return true;
  };
}

/** selectorMatches applies a metav1.LabelSelector object (null selects nothing, {} everything). */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  return matchesLabels(fromLabelSelector(selector as LabelSelector | null | undefined), labels);
}

/**
 * labelSelectorString renders a workload selector for Scale.status.selector:
 * a metav1.LabelSelector (apps) or a plain map (ReplicationController).
 */
export function labelSelectorString(selector: unknown): string {
  if (!selector || typeof selector !== 'object') return '';
  const s = selector as Record<string, unknown>;
  const asSelector = 'matchLabels' in s || 'matchExpressions' in s ? s : { matchLabels: s };
  return labelSelectorToString(fromLabelSelector(asSelector as LabelSelector));
}
