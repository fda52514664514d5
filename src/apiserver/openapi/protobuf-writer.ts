// SPDX-License-Identifier: Apache-2.0
/**
 * A small proto3 writer for building the protobuf form of the OpenAPI v2
 * document once at startup. It follows proto3's rule that scalar fields at
 * their default value (empty string, false, 0) are not written, so a decoder
 * sees exactly what gnostic's Go structs would hold. Oneof members must be
 * written even at their default value (their presence is the information),
 * hence `oneofBool`.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;

/** ProtobufWriter appends the fields of one message; nested messages are passed as finished bytes. */
export class ProtobufWriter {
  readonly #chunks: Buffer[] = [];

  /** string writes a UTF-8 string field; undefined and '' are proto3 defaults and are skipped. */
  string(field: number, value: string | undefined): this {
    if (value) this.#lengthDelimited(field, Buffer.from(value, 'utf8'));
    return this;
  }

  /** strings writes a repeated string field, one entry per element (strings are never packed). */
  strings(field: number, values: readonly string[]): this {
    for (const v of values) this.#lengthDelimited(field, Buffer.from(v, 'utf8'));
    return this;
  }

  /** bool writes a bool field when true. */
  bool(field: number, value: boolean | undefined): this {
    if (value) this.oneofBool(field, true);
    return this;
  }

  /** oneofBool writes a bool field even when false, as a oneof member must be. */
  oneofBool(field: number, value: boolean): this {
    this.#chunks.push(tag(field, WIRE_VARINT), Buffer.from([value ? 1 : 0]));
    return this;
  }

  /** int64 writes an integer field when non-zero (negative values take ten bytes, as protobuf sign-extends). */
  int64(field: number, value: number | undefined): this {
    if (value === undefined || value === 0 || !Number.isInteger(value)) return this;
    this.#chunks.push(tag(field, WIRE_VARINT), varint(BigInt.asUintN(64, BigInt(value))));
    return this;
  }

  /** double writes a double field when non-zero, as little-endian IEEE 754. */
  double(field: number, value: number | undefined): this {
    if (value === undefined || value === 0) return this;
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    this.#chunks.push(tag(field, WIRE_FIXED64), b);
    return this;
  }

  /** message writes an embedded message (even an empty one: its presence is meaningful); undefined is skipped. */
  message(field: number, bytes: Buffer | undefined): this {
    if (bytes) this.#lengthDelimited(field, bytes);
    return this;
  }

  /** finish returns the message bytes. */
  finish(): Buffer {
    return Buffer.concat(this.#chunks);
  }

  #lengthDelimited(field: number, bytes: Buffer): void {
    this.#chunks.push(tag(field, WIRE_BYTES), varint(BigInt(bytes.length)), bytes);
  }
}

function tag(field: number, wireType: number): Buffer {
  return varint(BigInt((field << 3) | wireType));
}

/** varint encodes an unsigned 64-bit value base-128, low groups first. */
function varint(v: bigint): Buffer {
  const out: number[] = [];
  let rest = v;
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return Buffer.from(out);
}
