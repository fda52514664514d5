// SPDX-License-Identifier: Apache-2.0
/**
 * `x-kubernetes-validations` rules of a structural schema, evaluated with
 * @bufbuild/cel as upstream's apiextensions CEL validator does: each rule
 * sees `self` (the value at its schema node) and, for transition rules on
 * update, `oldSelf`; a rule that is not true yields
 * `<path>: Invalid value: "<type>": <message or "failed rule: <rule>">`,
 * an evaluation error `<error> evaluating rule: <rule>`; `fieldPath` and
 * `reason` adjust the path and the error type as upstream.
 */
import type { CelInput, CelResult } from '@bufbuild/cel';
import type { KubeObject } from '../../api/index.js';
import { field, type FieldError } from '../../machinery/index.js';
import { celRuntime } from '../admission/cel/cel-runtime.js';
import { child, index, isObject, type JSONSchemaProps, type ValidationRule } from './types.js';

/**
 * CELValidator checks an object against a schema's rules: without `old`, the
 * rules that do not use oldSelf; with `old` (an update), the transition rules.
 */
export type CELValidator = (obj: KubeObject, old?: KubeObject) => FieldError[];

type Program = (bindings: Record<string, CelInput>) => CelResult;

interface Compiled {
  rule: ValidationRule;
  program: Program;
  message?: Program;
  usesOldSelf: boolean;
}

const cache = new WeakMap<JSONSchemaProps, Compiled[]>();

/** compileRule parses a rule (and its messageExpression), or returns upstream's compilation error text. */
export function compileRule(rule: ValidationRule): { compiled?: Compiled; error?: string } {
  try {
    const { cel, env } = celRuntime();
    const program = cel.plan(env, cel.parse(rule.rule)) as Program;
    const message = rule.messageExpression ? (cel.plan(env, cel.parse(rule.messageExpression)) as Program) : undefined;
    return { compiled: { rule, program, message, usesOldSelf: /\boldSelf\b/.test(rule.rule) } };
  } catch (err) {
    return { error: `compilation failed: ${(err as Error).message}` };
  }
}

function compiledOf(s: JSONSchemaProps): Compiled[] {
  let c = cache.get(s);
  if (!c) {
    c = (s['x-kubernetes-validations'] ?? []).map((r) => compileRule(r).compiled).filter((x): x is Compiled => !!x);
    cache.set(s, c);
  }
  return c;
}

function hasRules(s: JSONSchemaProps | undefined): boolean {
  if (!s) return false;
  if (s['x-kubernetes-validations']?.length) return true;
  if (Object.values(s.properties ?? {}).some(hasRules)) return true;
  if (s.items && !Array.isArray(s.items) && hasRules(s.items)) return true;
  return typeof s.additionalProperties === 'object' && hasRules(s.additionalProperties);
}

/** celValidator returns the validator of a schema's rules, or undefined when it has none. */
export function celValidator(schema: JSONSchemaProps): CELValidator | undefined {
  if (!hasRules(schema)) return undefined;
  return (obj, old) => {
    const errs: FieldError[] = [];
    walk(schema, obj, old, '', old !== undefined, errs);
    return errs;
  };
}

function walk(s: JSONSchemaProps, value: unknown, old: unknown, path: string, transitions: boolean, errs: FieldError[]): void {
  if (value === undefined || value === null) return;
  for (const c of compiledOf(s)) if (c.usesOldSelf === transitions) evaluate(c, s, value, old, path, errs);
  if (isObject(value)) {
    const oldObj = isObject(old) ? old : undefined;
    for (const [k, v] of Object.entries(value)) {
      const prop = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      if (prop) walk(prop, v, oldObj?.[k], child(path, k), transitions, errs);
    }
  } else if (Array.isArray(value) && s.items && !Array.isArray(s.items)) {
    const items = s.items;
    // Items correlate with old items only in map lists (by their keys), as upstream.
    const keys = s['x-kubernetes-list-type'] === 'map' ? (s['x-kubernetes-list-map-keys'] ?? []) : undefined;
    value.forEach((v, i) => walk(items, v, keys && Array.isArray(old) ? correlate(old, v, keys) : undefined, index(path, i), transitions, errs));
  }
}

function correlate(old: unknown[], item: unknown, keys: string[]): unknown {
  if (!isObject(item)) return undefined;
  return old.find((o) => isObject(o) && keys.every((k) => JSON.stringify(o[k]) === JSON.stringify(item[k])));
}

function evaluate(c: Compiled, s: JSONSchemaProps, value: unknown, old: unknown, path: string, errs: FieldError[]): void {
  // Transition rules only run when there is an old value (updates), unless the rule opts into an optional oldSelf.
  if (c.usesOldSelf && old === undefined && !c.rule.optionalOldSelf) return;
  const bindings: Record<string, CelInput> = { self: toCel(value, s) };
  if (c.usesOldSelf) bindings.oldSelf = old === undefined ? null : toCel(old, s);
  const type = s.type ?? (s['x-kubernetes-int-or-string'] ? 'string' : 'object');
  const at = c.rule.fieldPath ? path + c.rule.fieldPath.replace(/^\.?/, path ? '.' : '') : path;
  const result = c.program(bindings);
  if (celRuntime().cel.isCelError(result)) {
    // cel-go words a missing map key `no such key: <key>`; @bufbuild/cel says `field not found`.
    const why = result.message.replace(/^field not found: /, 'no such key: ');
    errs.push(field.invalid(path, type, `${why} evaluating rule: ${ruleText(c.rule)}`));
    return;
  }
  if (result === true) return;
  let message = c.rule.message?.trim() || `failed rule: ${ruleText(c.rule)}`;
  if (c.message) {
    const m = c.message(bindings);
    if (typeof m === 'string' && m.trim()) message = m.trim();
  }
  errs.push(errorForReason(c.rule.reason, at, type, message));
}

function ruleText(rule: ValidationRule): string {
  return (rule.message?.trim() || rule.rule.trim());
}

function errorForReason(reason: string | undefined, path: string, type: string, message: string): FieldError {
  switch (reason) {
    case 'FieldValueForbidden':
      return field.forbidden(path, message);
    case 'FieldValueRequired':
      return field.required(path, message);
    case 'FieldValueDuplicate':
      return { type: 'FieldValueDuplicate', field: path, badValue: type, detail: message };
    default:
      return field.invalid(path, type, message);
  }
}

/** toCel converts JSON to CEL input: objects become maps, integers ints (unless the schema says number). */
function toCel(v: unknown, s: JSONSchemaProps | undefined): CelInput {
  if (Array.isArray(v)) {
    const items = s?.items && !Array.isArray(s.items) ? s.items : undefined;
    return v.map((x) => toCel(x, items));
  }
  if (isObject(v)) {
    const m = new Map<string, CelInput>();
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue;
      const prop = s?.properties?.[k] ?? (typeof s?.additionalProperties === 'object' ? s.additionalProperties : undefined);
      m.set(k, toCel(x, prop));
    }
    return m;
  }
  if (typeof v === 'number') return Number.isInteger(v) && s?.type !== 'number' ? BigInt(v) : v;
  return v as CelInput;
}
