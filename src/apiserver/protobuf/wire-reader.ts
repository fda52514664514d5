// SPDX-License-Identifier: Apache-2.0
/**
 * A reader for the protobuf wire format (https://protobuf.dev/programming-guides/encoding/),
 * just wide enough for the Kubernetes API messages: varints (32 and 64 bit),
 * length-delimited fields, fixed32/fixed64 and skipping of anything else.
 * It never copies: strings and bytes are views of the request body.
 */

/** WireType numbers the encodings a field tag can announce. */
export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;

/** WireError reports a body that is not well-formed protobuf (truncated, overlong varint, bad tag). */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

/** FieldTag is a decoded field key: the field number and how its value is encoded. */
export interface FieldTag {
  field: number;
  wireType: number;
}

const utf8 = new TextDecoder('utf-8');

/** WireReader walks one message (a byte range) field by field. */
export class WireReader {
  readonly #buf: Uint8Array;
  #pos: number;
  readonly #end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.#buf = buf;
    this.#pos = start;
    this.#end = end;
  }

  /** done is true once every byte of the message has been read. */
  get done(): boolean {
    return this.#pos >= this.#end;
  }

  /** readTag reads the key of the next field. */
  readTag(): FieldTag {
    const key = this.readUint32();
    const field = key >>> 3;
    if (field === 0) throw new WireError(`invalid field number 0 at offset ${this.#pos}`);
    return { field, wireType: key & 7 };
  }

  /**
   * readUint32 reads a varint and keeps its low 32 bits. Negative int32 values
   * are sent as 10-byte varints (sign-extended to 64 bits); the extra bytes
   * only carry sign bits, so they are consumed and dropped.
   */
  readUint32(): number {
    let value = 0;
    for (let i = 0; i < 10; i++) {
      const b = this.#byte();
      if (i < 5) value |= (b & 0x7f) << (7 * i);
      if (b < 0x80) return value >>> 0;
    }
    throw new WireError('varint longer than 10 bytes');
  }

  /** readInt32 reads a varint as a signed 32-bit integer (proto int32). */
  readInt32(): number {
    return this.readUint32() | 0;
  }

  /** readUint64 reads a varint as an unsigned 64-bit integer. */
  readUint64(): bigint {
    let value = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.#byte();
      value |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) return BigInt.asUintN(64, value);
    }
    throw new WireError('varint longer than 10 bytes');
  }

  /** readInt64 reads a varint as a signed 64-bit integer (proto int64, two's complement). */
  readInt64(): bigint {
    return BigInt.asIntN(64, this.readUint64());
  }

  /** readBool reads a varint as a boolean (any non-zero value is true). */
  readBool(): boolean {
    return this.readUint64() !== 0n;
  }

  /** readDouble reads a little-endian IEEE 754 double (wire type fixed64). */
  readDouble(): number {
    const at = this.#take(8);
    return new DataView(this.#buf.buffer, this.#buf.byteOffset + at, 8).getFloat64(0, true);
  }

  /** readFloat reads a little-endian IEEE 754 single (wire type fixed32). */
  readFloat(): number {
    const at = this.#take(4);
    return new DataView(this.#buf.buffer, this.#buf.byteOffset + at, 4).getFloat32(0, true);
  }

  /** readBytes reads a length-delimited value as a view of the underlying buffer. */
  readBytes(): Uint8Array {
    const len = this.readUint32();
    const at = this.#take(len);
    return this.#buf.subarray(at, at + len);
  }

  /** readString reads a length-delimited value as UTF-8 text. */
  readString(): string {
    return utf8.decode(this.readBytes());
  }

  /** readMessage returns a reader over the embedded message that comes next. */
  readMessage(): WireReader {
    const len = this.readUint32();
    const at = this.#take(len);
    return new WireReader(this.#buf, at, at + len);
  }

  /** skip passes over one value of the given wire type (used for unknown fields). */
  skip(wireType: number, field = 0): void {
    switch (wireType) {
      case WireType.Varint:
        this.readUint64();
        return;
      case WireType.Fixed64:
        this.#take(8);
        return;
      case WireType.LengthDelimited:
        this.#take(this.readUint32());
        return;
      case WireType.Fixed32:
        this.#take(4);
        return;
      case WireType.StartGroup:
        this.#skipGroup(field);
        return;
      default:
        throw new WireError(`unexpected wire type ${wireType} at offset ${this.#pos}`);
    }
  }

  /** Groups are a deprecated proto2 encoding; Kubernetes never sends them, but skipping them is cheap. */
  #skipGroup(field: number): void {
    for (;;) {
      const tag = this.readTag();
      if (tag.wireType === WireType.EndGroup) {
        if (tag.field !== field) throw new WireError(`mismatched end of group ${tag.field}, expected ${field}`);
        return;
      }
      this.skip(tag.wireType, tag.field);
    }
  }

  #byte(): number {
    if (this.#pos >= this.#end) throw new WireError('truncated message: unexpected end of data in a varint');
    return this.#buf[this.#pos++]!;
  }

  /** #take reserves n bytes and returns where they start, refusing to read past the message. */
  #take(n: number): number {
    if (n > this.#end - this.#pos) {
      throw new WireError(`truncated message: need ${n} bytes at offset ${this.#pos}, only ${this.#end - this.#pos} left`);
    }
    const at = this.#pos;
    this.#pos += n;
    return at;
  }
}
