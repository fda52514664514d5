// SPDX-License-Identifier: Apache-2.0
/**
 * A minimal protobuf writer for tests: builds bodies field by field, the way
 * a client would put them on the wire, so decoder tests do not depend on the
 * schema tables they check. Not used when serving.
 */

/** WireWriter appends fields to a message; nest messages by passing another writer's bytes. */
export class WireWriter {
  readonly #chunks: Buffer[] = [];

  /** varint writes a varint field (bool, int32, int64, enum); negative numbers are sign-extended to 10 bytes. */
  varint(field: number, value: number | bigint | boolean): this {
    const v = typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value);
    this.#chunks.push(encodeVarint(BigInt(field) << 3n), encodeVarint(BigInt.asUintN(64, v)));
    return this;
  }

  /** string writes a length-delimited UTF-8 field. */
  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  /** bytes writes a length-delimited field. */
  bytes(field: number, value: Uint8Array): this {
    this.#chunks.push(encodeVarint((BigInt(field) << 3n) | 2n), encodeVarint(BigInt(value.length)), Buffer.from(value));
    return this;
  }

  /** message writes an embedded message. */
  message(field: number, inner: WireWriter): this {
    return this.bytes(field, inner.finish());
  }

  /** mapEntry writes one entry of a map<string, V> field (key 1, value 2). */
  mapEntry(field: number, key: string, value: string | Uint8Array | WireWriter): this {
    const entry = new WireWriter().string(1, key);
    if (typeof value === 'string') entry.string(2, value);
    else if (value instanceof WireWriter) entry.message(2, value);
    else entry.bytes(2, value);
    return this.message(field, entry);
  }

  /** double writes a fixed64 IEEE 754 field. */
  double(field: number, value: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    this.#chunks.push(encodeVarint((BigInt(field) << 3n) | 1n), b);
    return this;
  }

  /** raw appends bytes as they are (to build malformed input). */
  raw(bytes: Uint8Array): this {
    this.#chunks.push(Buffer.from(bytes));
    return this;
  }

  /** finish returns the message bytes. */
  finish(): Buffer {
    return Buffer.concat(this.#chunks);
  }
}

/** encodeVarint encodes an unsigned 64-bit value as a base-128 varint. */
export function encodeVarint(v: bigint): Buffer {
  const out: number[] = [];
  let rest = v;
  do {
    let b = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest > 0n) b |= 0x80;
    out.push(b);
  } while (rest > 0n);
  return Buffer.from(out);
}

/** protobufEnvelope wraps an object message in the `k8s\0` + runtime.Unknown envelope, as client-go sends it. */
export function protobufEnvelope(apiVersion: string, kind: string, object: WireWriter | Uint8Array): Buffer {
  const raw = object instanceof WireWriter ? object.finish() : object;
  const unknown = new WireWriter().message(1, new WireWriter().string(1, apiVersion).string(2, kind)).bytes(2, raw).string(3, '').string(4, '');
  return Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), unknown.finish()]);
}
