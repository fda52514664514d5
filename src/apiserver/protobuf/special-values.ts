// SPDX-License-Identifier: Apache-2.0
/**
 * JSON renderings of the apimachinery types whose proto shape differs from
 * their JSON form: metav1.Time, MicroTime and Duration, resource.Quantity,
 * intstr.IntOrString and the raw-JSON carriers (runtime.RawExtension,
 * metav1.FieldsV1). Each reads its small message and returns the value the
 * Go type's MarshalJSON would write; `undefined` means "omit the field"
 * (Go writes `null` for a zero Time, which our JSON objects leave out).
 */
import type { SpecialType } from './schema/index.js';
import { WireError, WireReader, WireType } from './wire-reader.js';

/** readSpecialValue decodes one embedded message of a special type into its JSON value. */
export function readSpecialValue(r: WireReader, type: SpecialType): unknown {
  switch (type) {
    case 'time':
      return readTime(r);
    case 'microtime':
      return readMicroTime(r);
    case 'duration':
      return formatGoDuration(readFirstInt64(r));
    case 'quantity':
      return readFirstString(r) || '0';
    case 'intorstring':
      return readIntOrString(r);
    case 'json':
      return readRawJson(r);
  }
}

/** toSafeNumber converts an int64 to a JSON number; beyond 2^53 precision is lost, as in any JSON client. */
export function toSafeNumber(v: bigint): number {
  return Number(v);
}

/** readTime renders metav1.Time as RFC 3339 in UTC with whole seconds, as upstream's Time.MarshalJSON; nanos are ignored on decode upstream too. */
function readTime(r: WireReader): string | undefined {
  const { seconds } = readTimestamp(r);
  if (seconds === undefined) return undefined;
  return new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** readMicroTime renders metav1.MicroTime as RFC 3339 with exactly six fractional digits. */
function readMicroTime(r: WireReader): string | undefined {
  const { seconds, nanos } = readTimestamp(r);
  if (seconds === undefined) return undefined;
  const micros = String(Math.floor(nanos / 1000)).padStart(6, '0');
  return new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, `.${micros}Z`);
}

/** An empty Timestamp is the zero time (upstream Time.Unmarshal); so is Go's zero time.Time (year 1) if a client sends it. */
const GO_ZERO_TIME_SECONDS = -62135596800n;

function readTimestamp(r: WireReader): { seconds?: bigint; nanos: number } {
  let seconds = 0n;
  let nanos = 0;
  let any = false;
  while (!r.done) {
    const tag = r.readTag();
    if (tag.field === 1 && tag.wireType === WireType.Varint) seconds = r.readInt64();
    else if (tag.field === 2 && tag.wireType === WireType.Varint) nanos = r.readInt32();
    else r.skip(tag.wireType, tag.field);
    any = true;
  }
  if (!any || seconds === GO_ZERO_TIME_SECONDS) return { nanos };
  return { seconds, nanos };
}

function readFirstInt64(r: WireReader): bigint {
  let v = 0n;
  while (!r.done) {
    const tag = r.readTag();
    if (tag.field === 1 && tag.wireType === WireType.Varint) v = r.readInt64();
    else r.skip(tag.wireType, tag.field);
  }
  return v;
}

function readFirstString(r: WireReader): string {
  let v = '';
  while (!r.done) {
    const tag = r.readTag();
    if (tag.field === 1 && tag.wireType === WireType.LengthDelimited) v = r.readString();
    else r.skip(tag.wireType, tag.field);
  }
  return v;
}

/** IntOrString is {1: type (0 int, 1 string), 2: intVal, 3: strVal}; JSON is the bare number or string. */
function readIntOrString(r: WireReader): number | string {
  let type = 0n;
  let intVal = 0;
  let strVal = '';
  while (!r.done) {
    const tag = r.readTag();
    if (tag.field === 1 && tag.wireType === WireType.Varint) type = r.readInt64();
    else if (tag.field === 2 && tag.wireType === WireType.Varint) intVal = r.readInt32();
    else if (tag.field === 3 && tag.wireType === WireType.LengthDelimited) strVal = r.readString();
    else r.skip(tag.wireType, tag.field);
  }
  return type === 1n ? strVal : intVal;
}

/**
 * readRawJson reads the bytes of a RawExtension or FieldsV1 (field 1). Upstream
 * writes those bytes verbatim into its JSON output, so they must already be JSON.
 */
function readRawJson(r: WireReader): unknown {
  let raw: Uint8Array | undefined;
  while (!r.done) {
    const tag = r.readTag();
    if (tag.field === 1 && tag.wireType === WireType.LengthDelimited) raw = r.readBytes();
    else r.skip(tag.wireType, tag.field);
  }
  if (!raw || raw.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('utf8'));
  } catch {
    throw new WireError('an embedded raw object (RawExtension or FieldsV1) is not JSON');
  }
}

const NS_PER = { us: 1000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n };

/**
 * formatGoDuration renders nanoseconds as Go's time.Duration.String does
 * (`1h0m0s`, `1m30s`, `1.5s`, `250ms`, `0s`), which is metav1.Duration's JSON.
 */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  const u = ns < 0n ? -ns : ns;
  if (u < NS_PER.us) return `${sign}${u}ns`;
  if (u < NS_PER.ms) return `${sign}${fraction(u, 3)}µs`;
  if (u < NS_PER.s) return `${sign}${fraction(u, 6)}ms`;
  let out = `${fraction(u % NS_PER.m, 9)}s`;
  const minutes = u / NS_PER.m;
  if (minutes > 0n) {
    out = `${minutes % 60n}m${out}`;
    const hours = minutes / 60n;
    if (hours > 0n) out = `${hours}h${out}`;
  }
  return sign + out;
}

/** fraction prints v / 10^digits with the fractional part's trailing zeros dropped. */
function fraction(v: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const frac = (v % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  return frac ? `${v / scale}.${frac}` : `${v / scale}`;
}
