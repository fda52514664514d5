// SPDX-License-Identifier: Apache-2.0
/**
 * Kubernetes resource quantities (`100m`, `1Gi`, `1e3`, `0.5`), as
 * apimachinery's `pkg/api/resource/quantity.go`: the same grammar, the same
 * parse errors, and the same canonical text form (what the API server writes
 * back, e.g. `1024Mi` → `1Gi`, `0.5` → `500m`, `1000m` → `1`).
 *
 * Values are kept exactly as a BigInt count of nano-units; like upstream,
 * anything finer than 1n is rounded up (away from zero) when parsed.
 */

/** QuantityFormat is how a quantity prints its suffix (resource.Format). */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** QUANTITY_FORMAT_ERROR is upstream's ErrFormatWrong message. */
export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/** QUANTITY_SUFFIX_ERROR is upstream's ErrSuffix message. */
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";
/** QUANTITY_NUMERIC_ERROR is upstream's ErrNumeric message. */
export const QUANTITY_NUMERIC_ERROR = 'unable to parse numeric part of quantity';

/** QuantityParseError is thrown by parseQuantity; its message is upstream's. */
export class QuantityParseError extends Error {
  readonly code = 'ERR_QUANTITY_PARSE';
  constructor(message: string) {
    super(message);
    this.name = 'QuantityParseError';
  }
}

const NANO = 1_000_000_000n;
const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const suffixOfDecimalExponent = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binarySuffixByPower = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
/** Exponents beyond this are refused rather than expanded into enormous BigInts. */
const MAX_EXPONENT = 1000;

/** Quantity is an exact, immutable resource amount with the format it was written in. */
export class Quantity {
  /** nano is the amount in units of 10^-9. */
  readonly nano: bigint;
  readonly format: QuantityFormat;

  constructor(nano: bigint, format: QuantityFormat = 'DecimalSI') {
    this.nano = nano;
    this.format = format;
  }

  /** fromMilli builds a quantity of `milli` thousandths (e.g. CPU millicores). */
  static fromMilli(milli: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(milli) * 1_000_000n, format);
  }

  /** fromValue builds a quantity of whole units (e.g. bytes). */
  static fromValue(value: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(value) * NANO, format);
  }

  /** value is the amount in whole units, rounded up away from zero (upstream Value()). */
  value(): number {
    return Number(divAwayFromZero(this.nano, NANO));
  }

  /** milliValue is the amount in thousandths, rounded up away from zero (upstream MilliValue()). */
  milliValue(): number {
    return Number(divAwayFromZero(this.nano, 1_000_000n));
  }

  /** asApproximateFloat64 is the amount as a float, for ratios and display. */
  asApproximateFloat64(): number {
    return Number(this.nano) / 1e9;
  }

  /** sign is -1, 0 or 1. */
  sign(): number {
    return this.nano === 0n ? 0 : this.nano < 0n ? -1 : 1;
  }

  isZero(): boolean {
    return this.nano === 0n;
  }

  /** cmp compares amounts: negative, zero or positive as this is less, equal or greater. */
  cmp(other: Quantity): number {
    return this.nano === other.nano ? 0 : this.nano < other.nano ? -1 : 1;
  }

  /** add returns the sum, keeping this quantity's format (as upstream Add). */
  add(other: Quantity): Quantity {
    return new Quantity(this.nano + other.nano, this.format);
  }

  /** sub returns the difference, keeping this quantity's format. */
  sub(other: Quantity): Quantity {
    return new Quantity(this.nano - other.nano, this.format);
  }

  /** roundUpToMilli rounds up away from zero to a whole milli-unit, as SetDefaults_ResourceList does. */
  roundUpToMilli(): Quantity {
    return new Quantity(divAwayFromZero(this.nano, 1_000_000n) * 1_000_000n, this.format);
  }

  /** toString renders the canonical form upstream serializes (CanonicalizeBytes). */
  toString(): string {
    if (this.nano === 0n) return '0';
    let format = this.format;
    if (format === 'BinarySI') {
      const small = this.nano > -1024n * NANO && this.nano < 1024n * NANO;
      if (small || this.nano % NANO !== 0n) format = 'DecimalSI';
    }
    return format === 'BinarySI' ? binaryString(this.nano / NANO) : decimalString(this.nano, format);
  }

  toJSON(): string {
    return this.toString();
  }
}

function divAwayFromZero(n: bigint, d: bigint): bigint {
  const q = n / d;
  if (n % d === 0n) return q;
  return n > 0n ? q + 1n : q - 1n;
}

function binaryString(units: bigint): string {
  let amount = units;
  let power = 0;
  while (power < binarySuffixByPower.length - 1 && amount % 1024n === 0n) {
    amount /= 1024n;
    power++;
  }
  return `${amount}${binarySuffixByPower[power]}`;
}

/** decimalString writes mantissa × 10^exponent with the exponent a multiple of 3, as AsCanonicalBytes. */
function decimalString(nano: bigint, format: QuantityFormat): string {
  let amount = nano;
  let exponent = -9;
  while (amount % 10n === 0n) {
    amount /= 10n;
    exponent++;
  }
  const rem = ((exponent % 3) + 3) % 3;
  if (rem === 1) {
    amount *= 10n;
    exponent -= 1;
  } else if (rem === 2) {
    amount *= 100n;
    exponent -= 2;
  }
  if (format === 'DecimalExponent') return exponent === 0 ? `${amount}` : `${amount}e${exponent}`;
  while (exponent > 18) {
    amount *= 1000n;
    exponent -= 3;
  }
  return `${amount}${suffixOfDecimalExponent.get(exponent) ?? ''}`;
}

const quantityRe = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/;

interface Suffix {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
}

function parseSuffix(s: string): Suffix {
  if (s in decimalSuffixes) return { base: 10, exponent: decimalSuffixes[s], format: 'DecimalSI' };
  if (s in binarySuffixes) return { base: 2, exponent: binarySuffixes[s], format: 'BinarySI' };
  if (/^[eE][-+]?[0-9]+$/.test(s)) {
    const exponent = Number(s.slice(1));
    if (Math.abs(exponent) > MAX_EXPONENT) throw new QuantityParseError(QUANTITY_NUMERIC_ERROR);
    return { base: 10, exponent, format: 'DecimalExponent' };
  }
  throw new QuantityParseError(QUANTITY_SUFFIX_ERROR);
}

/**
 * parseQuantity parses a quantity as written in a manifest (JSON numbers are
 * accepted as upstream's UnmarshalJSON does). Throws QuantityParseError with
 * upstream's message on bad input.
 */
export function parseQuantity(input: string | number): Quantity {
  const s = typeof input === 'number' ? String(input) : input;
  const m = quantityRe.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new QuantityParseError(QUANTITY_FORMAT_ERROR);
  const [, sign, whole, frac = '', suffixText] = m;
  const suffix = parseSuffix(suffixText);
  let num = BigInt(`${whole}${frac}` || '0');
  let den = 10n ** BigInt(frac.length);
  if (suffix.base === 2) {
    num *= (1n << BigInt(suffix.exponent)) * NANO;
  } else {
    const e = suffix.exponent + 9;
    if (e >= 0) num *= 10n ** BigInt(e);
    else den *= 10n ** BigInt(-e);
  }
  let nano = divAwayFromZero(num, den);
  if (sign === '-') nano = -nano;
  return new Quantity(nano, suffix.format);
}

/** tryParseQuantity is parseQuantity returning the error message instead of throwing. */
export function tryParseQuantity(input: unknown): Quantity | string {
  if (typeof input !== 'string' && typeof input !== 'number') return QUANTITY_FORMAT_ERROR;
  try {
    return parseQuantity(input);
  } catch (err) {
    if (err instanceof QuantityParseError) return err.message;
    throw err;
  }
}

/** canonicalQuantity rewrites a quantity string in canonical form, or returns it unchanged when unparseable. */
export function canonicalQuantity(input: unknown): unknown {
  const q = tryParseQuantity(input);
  return typeof q === 'string' ? input : q.toString();
}
