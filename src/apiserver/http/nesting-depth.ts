// SPDX-License-Identifier: Apache-2.0
/**
 * Nesting depth of request bodies, bounded before anything recursive sees
 * them. Every walker of a decoded object (structuredClone, validation,
 * defaulting, the patch appliers, the YAML parser) recurses once per level;
 * a 5000-deep body exhausts the stack, and a RegExp that V8 compiles (or
 * recompiles after flushing its code) at the edge of an exhausted stack
 * aborts the whole process with `FATAL ERROR: RegExpCompiler Allocation
 * failed`, which no try/catch can stop. So depth is refused at decode, with
 * iterative code only.
 *
 * Upstream's JSON decoder (encoding/json, sigs.k8s.io/json) refuses nesting
 * beyond 10000 levels ("exceeded max depth"); Go's stacks grow, Node's do not,
 * so our bound is lower, and still far beyond any real object (a CRD's
 * OpenAPI schema nests a few dozen levels).
 */
import { newBadRequest, type StatusError } from '../../machinery/index.js';

/** MAX_NESTING_DEPTH is the deepest object/array nesting a request body may have. */
export const MAX_NESTING_DEPTH = 500;

/** nestingDepth measures a decoded value without recursion (1 for `{}` or `[]`, 0 for a scalar). */
export function nestingDepth(value: unknown, stopAbove = Infinity): number {
  let max = 0;
  const stack: { v: unknown; d: number }[] = [{ v: value, d: 0 }];
  while (stack.length > 0) {
    const { v, d } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    const depth = d + 1;
    if (depth > max) {
      max = depth;
      if (max > stopAbove) return max;
    }
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    for (const c of children) if (typeof c === 'object' && c !== null) stack.push({ v: c, d: depth });
  }
  return max;
}

/** tooDeep is the 400 for a body nested beyond MAX_NESTING_DEPTH, worded as Go's decoder words it. */
export function tooDeep(what = 'json parse error'): StatusError {
  return newBadRequest(`couldn't get version/kind; ${what}: exceeded max depth of ${MAX_NESTING_DEPTH}`);
}

/** assertNestingDepth throws tooDeep() when `value` nests beyond MAX_NESTING_DEPTH. */
export function assertNestingDepth(value: unknown): void {
  if (nestingDepth(value, MAX_NESTING_DEPTH) > MAX_NESTING_DEPTH) throw tooDeep();
}

/**
 * yamlNestingBound is an upper bound of the nesting of a YAML document, read
 * from its text without parsing: the YAML parser itself recurses per level,
 * so the bound is checked first. Per line it adds the indentation, the `- `
 * and `? ` entries that open a collection on that line, and the flow
 * brackets open so far. Quotes and comments are deliberately not skipped: a
 * scanner that guessed wrong where a scalar ends could under-count, and the
 * over-count they cause stays far below the bound for any real manifest.
 */
export function yamlNestingBound(text: string): number {
  let max = 0;
  let flow = 0;
  let lineStart = true;
  let indent = 0;
  let inline = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */) {
      lineStart = true;
      indent = 0;
      inline = 0;
      continue;
    }
    if (lineStart && (c === 32 || c === 9)) {
      indent++;
      continue;
    }
    lineStart = false;
    if (c === 45 /* - */ || c === 63 /* ? */) {
      const next = i + 1 === text.length ? 32 : text.charCodeAt(i + 1);
      if (next === 32 || next === 9 || next === 10 || next === 13) inline++;
    } else if (c === 91 /* [ */ || c === 123 /* { */) flow++;
    else if (c === 93 /* ] */ || c === 125 /* } */) flow = Math.max(0, flow - 1);
    const bound = indent + inline + flow + 1;
    if (bound > max) max = bound;
  }
  return max;
}
