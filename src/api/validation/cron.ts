// SPDX-License-Identifier: Apache-2.0
/**
 * Cron schedules as CronJobs accept them: the five-field standard syntax
 * plus `@hourly`-style descriptors and `@every <duration>`, parsed like
 * robfig/cron v3's ParseStandard (which upstream's CronJob validation and
 * controller use), with the same error texts so `spec.schedule` rejections
 * read as upstream.
 */

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const months: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const days: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const fieldBounds: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: months },
  { min: 0, max: 6, names: days },
];

const descriptors: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** CronField is the set of allowed values of one field, and whether it was `*`/`?` (matters for day matching). */
interface CronField {
  values: Set<number>;
  star: boolean;
}

/** CronSchedule is a parsed schedule: either field sets or a constant interval (`@every`). */
export interface CronSchedule {
  /** next returns the first activation strictly after `after`, in the given IANA zone (UTC when omitted). */
  next(after: Date, timeZone?: string): Date | undefined;
}

/** CronParseError carries robfig/cron's error text. */
export class CronParseError extends Error {
  readonly code = 'ERR_CRON_PARSE';
  constructor(message: string) {
    super(message);
    this.name = 'CronParseError';
  }
}

function mustParseInt(expr: string): number {
  if (!/^[+-]?[0-9]+$/.test(expr)) throw new CronParseError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (n < 0) throw new CronParseError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, names?: Record<string, number>): number {
  const named = names?.[expr.toLowerCase()];
  return named ?? mustParseInt(expr);
}

/** parseRange adds the values of one comma-separated part (`a`, `a-b`, `*`, with optional `/step`). */
function parseRange(expr: string, b: Bounds, into: CronField): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    [start, end, star] = [b.min, b.max, true];
  } else {
    start = parseIntOrName(lowAndHigh[0], b.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1], b.names);
    else throw new CronParseError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]);
    // "N/step" means "N-max/step", as robfig/cron reads it.
    if (lowAndHigh.length === 1) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronParseError(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new CronParseError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronParseError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) into.values.add(v);
  if (star) into.star = true;
}

function parseField(text: string, b: Bounds): CronField {
  const f: CronField = { values: new Set(), star: false };
  for (const part of text.split(',')) parseRange(part, b, f);
  return f;
}

/** parseGoDuration reads the subset of Go duration syntax `@every` uses (h, m, s, ms). */
function parseGoDuration(text: string): number | undefined {
  const re = /([0-9]+(?:\.[0-9]+)?)(h|ms|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    if (m.index !== consumed) return undefined;
    consumed += m[0].length;
    total += Number(m[1]) * { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[m[2] as 'h' | 'm' | 's' | 'ms'];
  }
  return consumed === text.length && consumed > 0 ? total : undefined;
}

/**
 * parseCronSchedule parses a CronJob schedule as robfig/cron's ParseStandard.
 * Throws CronParseError with its message. `TZ=`/`CRON_TZ=` prefixes are
 * accepted here (the parser does); CronJob validation rejects them separately.
 */
export function parseCronSchedule(spec: string): CronSchedule {
  if (spec.length === 0) throw new CronParseError('empty spec string');
  let rest = spec;
  let zone: string | undefined;
  const tz = /^(?:CRON_TZ|TZ)=(\S*)\s*/.exec(rest);
  if (tz) {
    zone = tz[1];
    if (!isKnownTimeZone(zone)) throw new CronParseError(`provided bad location ${zone}: unknown time zone ${zone}`);
    rest = rest.slice(tz[0].length);
  }
  if (rest.startsWith('@')) {
    if (rest.startsWith('@every ')) {
      const ms = parseGoDuration(rest.slice(7).trim());
      if (ms === undefined) throw new CronParseError(`failed to parse duration ${rest}: time: invalid duration ${JSON.stringify(rest.slice(7))}`);
      return everySchedule(Math.max(1000, Math.floor(ms / 1000) * 1000));
    }
    const expanded = descriptors[rest];
    if (!expanded) throw new CronParseError(`unrecognized descriptor: ${rest}`);
    rest = expanded;
  }
  const fields = rest.split(/\s+/).filter((f) => f.length > 0);
  if (fields.length !== 5) throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const parsed = fields.map((f, i) => parseField(f, fieldBounds[i]));
  return fieldSchedule(parsed, zone);
}

function everySchedule(intervalMs: number): CronSchedule {
  return { next: (after) => new Date(Math.floor(after.getTime() / 1000) * 1000 + intervalMs) };
}

/** isKnownTimeZone reports whether the runtime knows an IANA zone name (time.LoadLocation's role upstream). */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
}

const weekdayIndex: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function wallClock(t: Date, fmt: Intl.DateTimeFormat): WallClock {
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(t)) parts[p.type] = p.value;
  return { minute: Number(parts.minute), hour: Number(parts.hour) % 24, day: Number(parts.day), month: Number(parts.month), weekday: weekdayIndex[parts.weekday] };
}

function fieldSchedule([minute, hour, dom, month, dow]: CronField[], specZone?: string): CronSchedule {
  const dayMatches = (w: WallClock): boolean => {
    const d = dom.values.has(w.day);
    const wd = dow.values.has(w.weekday);
    return dom.star || dow.star ? d && wd : d || wd;
  };
  return {
    next(after, timeZone) {
      const fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: specZone ?? timeZone ?? 'UTC', hourCycle: 'h23', minute: 'numeric', hour: 'numeric', day: 'numeric', month: 'numeric', weekday: 'short',
      });
      // Walk forward minute by minute, skipping whole hours when the hour,
      // day or month cannot match; five years bounds impossible schedules (Feb 30).
      let t = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000;
      const limit = t + 5 * 366 * 86_400_000;
      while (t < limit) {
        const w = wallClock(new Date(t), fmt);
        if (!month.values.has(w.month) || !dayMatches(w) || !hour.values.has(w.hour)) {
          t += (60 - w.minute) * 60_000;
          continue;
        }
        if (minute.values.has(w.minute)) return new Date(t);
        t += 60_000;
      }
      return undefined;
    },
  };
}
