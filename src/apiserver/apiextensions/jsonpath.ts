// SPDX-License-Identifier: Apache-2.0
/**
 * The JSONPath subset additionalPrinterColumns and scale paths use, as
 * upstream's k8s.io/client-go/util/jsonpath evaluates it: `.a.b`, `.a[0]`,
 * `.a[-1]`, `.a[*].b`, `['a.b']`, escaped dots (`.a\.b`) and filters
 * `[?(@.type=="Ready")]` (==, !=; string, number and boolean literals).
 * Evaluation returns every match, in order.
 */

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: Step[]; op: '==' | '!=' | 'exists'; value?: unknown };

/** JSONPathError is a path that does not parse. */
export class JSONPathError extends Error {}

/** parseJSONPath parses a path with or without `{}` around it. */
export function parseJSONPath(path: string): Step[] {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1).trim();
  if (p.startsWith('$')) p = p.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === '.') {
      i++;
      let name = '';
      while (i < p.length && p[i] !== '.' && p[i] !== '[') {
        if (p[i] === '\\' && i + 1 < p.length) i++;
        name += p[i++];
      }
      if (name === '*') steps.push({ kind: 'all' });
      else if (name) steps.push({ kind: 'field', name });
    } else if (c === '[') {
      const end = matchingBracket(p, i);
      steps.push(bracketStep(p.slice(i + 1, end).trim()));
      i = end + 1;
    } else {
      throw new JSONPathError(`unrecognized character in action: ${JSON.stringify(c)}`);
    }
  }
  return steps;
}

function matchingBracket(p: string, start: number): number {
  let depth = 0;
  let quote = '';
  for (let i = start; i < p.length; i++) {
    const c = p[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i;
  }
  throw new JSONPathError('unterminated array');
}

function bracketStep(inner: string): Step {
  if (inner === '*') return { kind: 'all' };
  if (/^-?\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
  const quoted = /^(['"])(.*)\1$/.exec(inner);
  if (quoted) return { kind: 'field', name: quoted[2]! };
  const filter = /^\?\(\s*@((?:\.[^\s=!)]+)+)\s*(?:(==|!=)\s*(.+?))?\s*\)$/.exec(inner);
  if (filter) {
    const path = parseJSONPath(filter[1]!);
    if (!filter[2]) return { kind: 'filter', path, op: 'exists' };
    return { kind: 'filter', path, op: filter[2] as '==' | '!=', value: literal(filter[3]!) };
  }
  throw new JSONPathError(`invalid array index ${inner}`);
}

function literal(text: string): unknown {
  const t = text.trim();
  const q = /^(['"])(.*)\1$/.exec(t);
  if (q) return q[2];
  if (t === 'true' || t === 'false') return t === 'true';
  const n = Number(t);
  return Number.isNaN(n) ? t : n;
}

/** evaluateJSONPath returns every value the path selects in `root`. */
export function evaluateJSONPath(steps: Step[], root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) apply(step, v, next);
    current = next;
  }
  return current;
}

function apply(step: Step, v: unknown, out: unknown[]): void {
  if (step.kind === 'field') {
    if (v && typeof v === 'object' && !Array.isArray(v) && step.name in v) out.push((v as Record<string, unknown>)[step.name]);
  } else if (step.kind === 'index') {
    if (!Array.isArray(v)) return;
    const i = step.index < 0 ? v.length + step.index : step.index;
    if (i >= 0 && i < v.length) out.push(v[i]);
  } else if (step.kind === 'all') {
    if (Array.isArray(v)) out.push(...v);
    else if (v && typeof v === 'object') out.push(...Object.values(v));
  } else if (Array.isArray(v)) {
    for (const item of v) if (filterMatches(step, item)) out.push(item);
  }
}

function filterMatches(step: Extract<Step, { kind: 'filter' }>, item: unknown): boolean {
  const found = evaluateJSONPath(step.path, item);
  if (step.op === 'exists') return found.length > 0;
  const eq = found.some((f) => f === step.value || String(f) === String(step.value));
  return step.op === '==' ? eq : found.length > 0 && !eq;
}
