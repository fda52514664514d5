// SPDX-License-Identifier: Apache-2.0
/**
 * CEL expressions of admission (webhook matchConditions, ValidatingAdmissionPolicy
 * validations, messageExpressions, auditAnnotations and variables), compiled
 * and run with @bufbuild/cel as the CRD validation rules are. Objects reach
 * CEL as maps and integral numbers as ints, as upstream's unstructured
 * objects do; a compile error reads `compilation failed: ...` as upstream's
 * CompilationErrors.
 */
import type { CelInput, CelResult } from '@bufbuild/cel';
import { celRuntime } from './cel-runtime.js';

type Program = (bindings: Record<string, CelInput>) => CelResult;

/** CompiledExpression evaluates against bindings already converted with toCel. */
export interface CompiledExpression {
  expression: string;
  run(bindings: Record<string, CelInput>): EvalResult;
}

/** EvalResult is a value (plain JS) or an evaluation error's text. */
export type EvalResult = { value: unknown; error?: undefined } | { value?: undefined; error: string };

const cache = new Map<string, CompiledExpression | string>();

/** compileExpression compiles (cached by text) or returns upstream's compile error text. */
export function compileExpression(expression: string): CompiledExpression | string {
  const hit = cache.get(expression);
  if (hit !== undefined) return hit;
  let out: CompiledExpression | string;
  try {
    const { cel, env } = celRuntime();
    const program = cel.plan(env, cel.parse(expression)) as Program;
    out = {
      expression,
      run(bindings) {
        try {
          const r = program(bindings);
          if (cel.isCelError(r)) return { error: r.message.replace(/^field not found: /, 'no such key: ') };
          return { value: fromCel(r) };
        } catch (err) {
          return { error: (err as Error).message };
        }
      },
    };
  } catch (err) {
    out = `compilation failed: ${(err as Error).message}`;
  }
  if (cache.size > 4096) cache.clear();
  cache.set(expression, out);
  return out;
}

/** toCel turns JSON into CEL input: objects become maps, integral numbers ints. */
export function toCel(v: unknown): CelInput {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) return v.map(toCel);
  if (typeof v === 'object') {
    const m = new Map<string, CelInput>();
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) m.set(k, toCel(x));
    return m;
  }
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  return v as CelInput;
}

/** fromCel turns a CEL value back into JSON-like JS (ints become numbers). */
export function fromCel(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), fromCel(x)]));
  if (Array.isArray(v)) return v.map(fromCel);
  if (v === null || typeof v !== 'object') return v;
  // Any other object may be a CEL list or map (values only a loaded runtime makes).
  const { cel } = celRuntime();
  if (cel.isCelList(v as never)) return [...(v as unknown as Iterable<unknown>)].map(fromCel);
  if (cel.isCelMap(v as never)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of v as unknown as Iterable<[unknown, unknown]>) out[String(k)] = fromCel(x);
    return out;
  }
  if (v && typeof v === 'object' && 'value' in v && Object.keys(v).length === 1) return fromCel((v as { value: unknown }).value);
  return v;
}
