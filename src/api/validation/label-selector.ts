// SPDX-License-Identifier: Apache-2.0
/**
 * metav1.LabelSelector validation and matching, as apimachinery's
 * `pkg/apis/meta/v1/validation` ValidateLabelSelector and
 * LabelSelectorAsSelector: workload kinds need both to check that a
 * selector matches its pod template.
 */
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject } from '../object.js';
import { isQualifiedName, isValidLabelValue } from './names.js';
import { validateLabels } from './object-meta.js';

/** LabelSelector is the wire shape of metav1.LabelSelector. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

const operators = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/**
 * validateLabelSelectorRequirement is ValidateLabelSelectorRequirement. With
 * allowUnknownOperator (the access reviews' AllowUnknownOperatorInRequirement,
 * for newer clients' operators) an operator it does not know is no error.
 */
export function validateLabelSelectorRequirement(req: unknown, path: string, opts: { allowUnknownOperator?: boolean } = {}): FieldError[] {
  const r = isPlainObject(req) ? req : {};
  const errs: FieldError[] = [];
  const values = Array.isArray(r.values) ? r.values : [];
  const op = r.operator;
  if (op === 'In' || op === 'NotIn') {
    if (values.length === 0) errs.push(field.required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
  } else if (op === 'Exists' || op === 'DoesNotExist') {
    if (values.length > 0) errs.push(field.forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
  } else if (!opts.allowUnknownOperator) {
    errs.push(field.notSupported(`${path}.operator`, op ?? '', operators));
  }
  const key = typeof r.key === 'string' ? r.key : '';
  for (const m of isQualifiedName(key)) errs.push(field.invalid(`${path}.key`, key, m));
  values.forEach((v, i) => {
    for (const m of isValidLabelValue(String(v))) errs.push(field.invalid(`${path}.values[${i}]`, v, m));
  });
  return errs;
}

/** validateLabelSelector checks matchLabels and matchExpressions of a selector. */
export function validateLabelSelector(sel: unknown, path: string): FieldError[] {
  if (sel === undefined || sel === null) return [];
  if (!isPlainObject(sel)) return [field.invalid(path, sel, 'must be a label selector')];
  const errs = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  const exprs = Array.isArray(sel.matchExpressions) ? sel.matchExpressions : [];
  exprs.forEach((e, i) => errs.push(...validateLabelSelectorRequirement(e, `${path}.matchExpressions[${i}]`)));
  return errs;
}

/** isEmptySelector is true when a selector has no requirements (it selects everything). */
export function isEmptySelector(sel: LabelSelector | undefined | null): boolean {
  return !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
}

/** labelSelectorMatches reports whether labels satisfy every requirement of a selector (an empty selector matches all). */
export function labelSelectorMatches(sel: LabelSelector | undefined | null, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const vals = e.values ?? [];
    if (e.operator === 'In' && !(has && vals.includes(l[e.key]))) return false;
    if (e.operator === 'NotIn' && has && vals.includes(l[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}
