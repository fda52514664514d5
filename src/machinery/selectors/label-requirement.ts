// SPDX-License-Identifier: Apache-2.0
/**
 * One requirement of a label selector (`app=web`, `tier in (a,b)`, `!canary`)
 * and its validation, as apimachinery pkg/labels NewRequirement checks it.
 * Failures are plain messages; the callers wrap them into 400 responses.
 */
import { labelKeyErrors, labelValueErrors } from './label-syntax.js';

/** LabelOperator is selection.Operator: the spelling used in selector strings. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

/** LabelRequirement is one ANDed term of a label selector. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

/** LabelSelectorError is a label selector that does not parse or validate; its message is upstream's. */
export class LabelSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelSelectorError';
  }
}

/** fieldInvalid renders a field.Invalid error as field.Error.Error() does. */
export function fieldInvalid(path: string, value: unknown, detail: string): string {
  return `${path}: Invalid value: ${JSON.stringify(value)}: ${detail}`;
}

/** aggregate joins errors as utilerrors.NewAggregate(...).Error() does: one message alone, several in brackets. */
function aggregate(errs: string[]): string {
  const unique = [...new Set(errs)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

/** validateLabelKey returns the field error of an invalid key at path, or undefined. */
export function validateLabelKey(key: string, path: string): string | undefined {
  const errs = labelKeyErrors(key);
  return errs.length ? fieldInvalid(path, key, errs.join('; ')) : undefined;
}

/**
 * newRequirement builds a requirement, checking the rules of NewRequirement:
 * in/notin need values, =/==/!= exactly one, exists/! none, gt/lt one integer;
 * the key and every value must be valid label syntax. `path` prefixes field
 * paths in messages (upstream parses with a nil path, rendered `<nil>` for the
 * key and omitted for children).
 */
export function newRequirement(key: string, operator: LabelOperator, values: readonly string[], path = ''): LabelRequirement {
  const child = (name: string) => (path ? `${path}.${name}` : name);
  const errs: string[] = [];
  const keyErr = validateLabelKey(key, child('key'));
  if (keyErr) errs.push(keyErr);
  const valuesPath = child('values');
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(fieldInvalid(valuesPath, values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(fieldInvalid(valuesPath, values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(fieldInvalid(valuesPath, values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(fieldInvalid(valuesPath, values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (!isInteger(v)) errs.push(fieldInvalid(`${valuesPath}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  values.forEach((v, i) => {
    const bad = labelValueErrors(v);
    if (bad.length) errs.push(fieldInvalid(`${valuesPath}[${i}][${key}]`, v, bad.join('; ')));
  });
  if (errs.length) throw new LabelSelectorError(aggregate(errs));
  return { key, operator, values: [...values] };
}

/** isInteger accepts what Go's strconv.ParseInt(s, 10, 64) accepts (range aside). */
export function isInteger(s: string): boolean {
  return /^[+-]?[0-9]+$/.test(s);
}

/** requirementMatches tells whether a label set satisfies one requirement (Requirement.Matches). */
export function requirementMatches(r: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value as string);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value as string);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !isInteger(value as string) || r.values.length !== 1 || !isInteger(r.values[0])) return false;
      const [l, want] = [BigInt(value as string), BigInt(r.values[0])];
      return r.operator === 'gt' ? l > want : l < want;
    }
  }
}

const operatorText: Record<LabelOperator, string> = { '=': '=', '==': '==', '!=': '!=', in: ' in ', notin: ' notin ', gt: '>', lt: '<', exists: '', '!': '' };

/** requirementString renders a requirement as Requirement.String(): values sorted, sets in parentheses. */
export function requirementString(r: LabelRequirement): string {
  const head = `${r.operator === '!' ? '!' : ''}${r.key}${operatorText[r.operator]}`;
  if (r.operator === 'exists' || r.operator === '!') return head;
  const values = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  return r.operator === 'in' || r.operator === 'notin' ? `${head}(${values})` : `${head}${values}`;
}
