// SPDX-License-Identifier: Apache-2.0
/**
 * Labels and label selectors as the printers show them, matching
 * apimachinery's labels.FormatLabels, LabelSelector.String and
 * metav1.FormatLabelSelector.
 */
import type { LabelSelector, LabelSelectorRequirement } from 'kubernetes-types/meta/v1.js';

/** formatLabels renders a label map as sorted `k=v` pairs joined by commas, or `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const s = labelSetString(labels);
  return s === '' ? '<none>' : s;
}

/** labelSetString renders a label map as sorted `k=v` pairs joined by commas (empty string when empty). */
export function labelSetString(labels: Record<string, string> | undefined | null): string {
  if (!labels) return '';
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

/**
 * selectorString renders a LabelSelector the way labels.Selector.String does
 * after metav1.LabelSelectorAsSelector: one requirement per matchLabels
 * entry and per matchExpression, sorted by key, joined by commas. It returns
 * undefined for a selector that cannot be converted (unknown operator),
 * which upstream reports as an error.
 */
export function selectorString(selector: LabelSelector | undefined | null): string | undefined {
  if (!selector) return '';
  const reqs: Array<{ key: string; text: string }> = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    reqs.push({ key, text: `${key}=${value}` });
  }
  for (const expr of selector.matchExpressions ?? []) {
    const text = requirementString(expr);
    if (text === undefined) return undefined;
    reqs.push({ key: expr.key, text });
  }
  // Array.prototype.sort is stable; upstream sorts requirements by key only.
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

function requirementString(expr: LabelSelectorRequirement): string | undefined {
  const values = [...(expr.values ?? [])].sort();
  switch (expr.operator) {
    case 'In':
      return `${expr.key} in (${values.join(',')})`;
    case 'NotIn':
      return `${expr.key} notin (${values.join(',')})`;
    case 'Exists':
      return expr.key;
    case 'DoesNotExist':
      return `!${expr.key}`;
    default:
      return undefined;
  }
}

/** formatLabelSelector is metav1.FormatLabelSelector: the selector string, `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(selector: LabelSelector | undefined | null): string {
  const s = selectorString(selector);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}
