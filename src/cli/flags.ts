// SPDX-License-Identifier: Apache-2.0
/**
 * A small flag parser for `--name value`, `--name=value`, booleans and
 * repeated flags, with clear errors. Every command declares its flags with a
 * meaning and a default, so `--help`/`-h` prints its usage (as kubectl and
 * k3s do) and an unknown flag names the nearest valid one.
 */

export interface FlagSpec {
  type: 'string' | 'number' | 'boolean' | 'list';
  default?: string | number | boolean | string[];
  /** usage says what the flag means, for --help. */
  usage?: string;
  /** hidden flags (test knobs) work but are left out of --help. */
  hidden?: boolean;
}

export type FlagValues = Record<string, string | number | boolean | string[] | undefined>;

export class FlagError extends Error {}

/** HelpRequested is thrown by parseFlags for `--help` or `-h`. */
export class HelpRequested extends Error {}

/** CommandUsage describes a command for its --help text. */
export interface CommandUsage {
  /** name is the full command, `skiff server`. */
  name: string;
  /** args are the positional arguments shown after the name (`FILE.tar`). */
  args?: string;
  summary: string;
}

export function parseFlags(args: string[], spec: Record<string, FlagSpec>): FlagValues {
  const out: FlagValues = {};
  for (const [k, s] of Object.entries(spec)) out[k] = Array.isArray(s.default) ? [...s.default] : s.default;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') throw new HelpRequested();
    if (!a.startsWith('--')) throw new FlagError(`unexpected argument ${JSON.stringify(a)}`);
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const s = spec[name];
    if (!s) {
      const near = nearestFlag(name, Object.keys(spec).filter((k) => !spec[k].hidden));
      throw new FlagError(`unknown flag --${name}${near ? `; did you mean --${near}?` : ''}`);
    }
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

/** editDistance is the Levenshtein distance of two strings. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** nearestFlag is the known flag closest to `name`, when close enough to be a likely typo or prefix. */
export function nearestFlag(name: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of [...known, 'help']) {
    const d = k.startsWith(name) || name.startsWith(k) ? Math.min(1, editDistance(name, k)) : editDistance(name, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** renderUsage is a command's --help text: usage line, summary, and each flag with its type, meaning and default. */
export function renderUsage(command: CommandUsage, spec: Record<string, FlagSpec>): string {
  const rows: [string, string][] = [];
  for (const [name, s] of Object.entries(spec)) {
    if (s.hidden) continue;
    const type = s.type === 'boolean' ? '' : s.type === 'list' ? ' strings' : s.type === 'number' ? ' int' : ' string';
    const d = s.default;
    const shown = d === undefined || d === '' || d === false || (Array.isArray(d) && d.length === 0) ? '' : ` (default ${typeof d === 'string' ? JSON.stringify(d) : Array.isArray(d) ? `[${d.join(',')}]` : String(d)})`;
    rows.push([`      --${name}${type}`, `${s.usage ?? ''}${shown}`]);
  }
  rows.push([`  -h, --help`, `help for ${command.name.split(' ').pop()}`]);
  const width = Math.max(...rows.map(([l]) => l.length)) + 3;
  const flagLines = rows.map(([l, r]) => `${l.padEnd(width)}${r}`.trimEnd());
  return `${command.summary}\n\nUsage:\n  ${command.name}${command.args ? ` ${command.args}` : ''} [flags]\n\nFlags:\n${flagLines.join('\n')}\n`;
}

/**
 * parseCommandFlags is parseFlags for a command's entry point: `--help`
 * prints the usage to stdout and exits 0; a bad flag prints the error and a
 * pointer to --help to stderr and exits 2.
 */
export function parseCommandFlags(args: string[], spec: Record<string, FlagSpec>, command: CommandUsage): FlagValues {
  try {
    return parseFlags(args, spec);
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(renderUsage(command, spec));
      process.exit(0);
    }
    if (err instanceof FlagError) {
      process.stderr.write(`${command.name}: ${err.message}\nRun '${command.name} --help' for usage.\n`);
      process.exit(2);
    }
    throw err;
  }
}
