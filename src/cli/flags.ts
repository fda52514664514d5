// SPDX-License-Identifier: Apache-2.0
/** A small flag parser for `--name value`, `--name=value`, booleans and repeated flags, with clear errors. */

export interface FlagSpec {
  type: 'string' | 'number' | 'boolean' | 'list';
  default?: string | number | boolean | string[];
}

export type FlagValues = Record<string, string | number | boolean | string[] | undefined>;

export class FlagError extends Error {}

export function parseFlags(args: string[], spec: Record<string, FlagSpec>): FlagValues {
  const out: FlagValues = {};
  for (const [k, s] of Object.entries(spec)) out[k] = Array.isArray(s.default) ? [...s.default] : s.default;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) throw new FlagError(`unexpected argument ${JSON.stringify(a)}`);
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const s = spec[name];
    if (!s) throw new FlagError(`unknown flag --${name}`);
    if (s.type === 'boolean') {
      out[name] = eq < 0 ? true : a.slice(eq + 1) !== 'false';
      continue;
    }
    let v: string;
    if (eq >= 0) v = a.slice(eq + 1);
    else {
      if (i + 1 >= args.length) throw new FlagError(`flag --${name} needs a value`);
      v = args[++i];
    }
    if (s.type === 'number') {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new FlagError(`flag --${name} needs a number, got ${JSON.stringify(v)}`);
      out[name] = n;
    } else if (s.type === 'list') {
      (out[name] as string[]).push(...v.split(',').filter(Boolean));
    } else {
      out[name] = v;
    }
  }
  return out;
}
