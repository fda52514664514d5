// SPDX-License-Identifier: Apache-2.0
/**
 * The DER (X.690) encoding of the few ASN.1 types an X.509 certificate
 * needs, and a reader of the elements of a DER SEQUENCE. Certificates are
 * built from these (certificates.ts) rather than with an ASN.1 library
 * because the library and its schemas cost the server about 3 MB of heap,
 * loaded for a handful of certificates at start-up.
 */

/** tlv encodes one element: tag, definite length, content. */
export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

export const sequence = (...items: Buffer[]): Buffer => tlv(0x30, ...items);
export const set = (...items: Buffer[]): Buffer => tlv(0x31, ...items);
export const octetString = (b: Buffer): Buffer => tlv(0x04, b);
export const utf8String = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
export const printableString = (s: string): Buffer => tlv(0x13, Buffer.from(s, 'ascii'));
export const booleanTrue = (): Buffer => tlv(0x01, Buffer.from([0xff]));
/** explicit wraps content in a context-specific constructed tag ([n] EXPLICIT). */
export const explicit = (n: number, content: Buffer): Buffer => tlv(0xa0 | n, content);
/** implicit re-tags primitive content as context-specific [n] IMPLICIT. */
export const implicit = (n: number, content: Buffer): Buffer => tlv(0x80 | n, content);

/** unsignedInteger encodes non-negative big-endian bytes as an INTEGER (minimal, with a sign byte when the top bit is set). */
export function unsignedInteger(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const b = bytes.subarray(i);
  return tlv(0x02, b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

export const smallInteger = (n: number): Buffer => unsignedInteger(Buffer.from([n]));

/** bitString encodes whole bytes (no unused bits). */
export const bitString = (b: Buffer): Buffer => tlv(0x03, Buffer.from([0]), b);

/** namedBits encodes a BIT STRING of named bits (bit 0 first), trailing zero bits removed as DER requires. */
export function namedBits(bits: number[]): Buffer {
  const top = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(top / 8) + 1);
  for (const bit of bits) bytes[Math.floor(bit / 8)] |= 0x80 >> bit % 8;
  return tlv(0x03, Buffer.from([7 - (top % 8)]), bytes);
}

/** objectIdentifier encodes a dotted OID. */
export function objectIdentifier(oid: string): Buffer {
  const [a, b, ...rest] = oid.split('.').map(Number);
  const out = [a * 40 + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** time encodes UTCTime through 2049 and GeneralizedTime after, as RFC 5280 4.1.2.5 requires. */
export function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii')) : tlv(0x18, Buffer.from(iso, 'ascii'));
}

/** DerElement is one element read from DER: its tag, its whole encoding and its content. */
export interface DerElement {
  tag: number;
  raw: Buffer;
  content: Buffer;
}

/** elements reads the consecutive elements in `der` (the content of a SEQUENCE or SET). */
export function elements(der: Buffer): DerElement[] {
  const out: DerElement[] = [];
  for (let off = 0; off < der.length; ) {
    const tag = der[off];
    let len = der[off + 1];
    let head = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + der[off + 2 + i];
      head += n;
    }
    if (off + head + len > der.length) throw new Error('DER element runs past its container');
    out.push({ tag, raw: der.subarray(off, off + head + len), content: der.subarray(off + head, off + head + len) });
    off += head + len;
  }
  return out;
}
