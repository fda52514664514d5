// SPDX-License-Identifier: Apache-2.0
/**
 * Decoding DNS messages (RFC 1035 §4, SRV from RFC 2782, SOA): header,
 * sections, compressed names with a bound on pointer hops; a malformed
 * message raises DnsFormatError (answered with FORMERR).
 */
import { DnsFormatError, TYPE, type DnsMessage, type Question, type ResourceRecord } from './dns-message.js';

const HEADER = 12;
const MAX_POINTER_HOPS = 64;

/** decodeMessage parses a DNS message. */
export function decodeMessage(buf: Buffer): DnsMessage {
  if (buf.length < HEADER) throw new DnsFormatError('message shorter than its header');
  const flags = buf.readUInt16BE(2);
  const counts = [buf.readUInt16BE(4), buf.readUInt16BE(6), buf.readUInt16BE(8), buf.readUInt16BE(10)];
  const r = { off: HEADER };
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]; i++) {
    const name = readName(buf, r);
    need(buf, r.off, 4);
    questions.push({ name, type: buf.readUInt16BE(r.off), class: buf.readUInt16BE(r.off + 2) });
    r.off += 4;
  }
  const section = (n: number): ResourceRecord[] => Array.from({ length: n }, () => readRecord(buf, r));
  return {
    id: buf.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    rcode: flags & 0xf,
    questions,
    answers: section(counts[1]),
    authorities: section(counts[2]),
    additionals: section(counts[3]),
  };
}

function need(buf: Buffer, off: number, n: number): void {
  if (off + n > buf.length) throw new DnsFormatError('message truncated');
}

function readName(buf: Buffer, r: { off: number }): string {
  const labels: string[] = [];
  let off = r.off;
  let jumped = false;
  for (let hops = 0; ; ) {
    need(buf, off, 1);
    const len = buf[off];
    if ((len & 0xc0) === 0xc0) {
      need(buf, off, 2);
      if (++hops > MAX_POINTER_HOPS) throw new DnsFormatError('compression loop');
      if (!jumped) r.off = off + 2;
      jumped = true;
      off = buf.readUInt16BE(off) & 0x3fff;
      continue;
    }
    if (len & 0xc0) throw new DnsFormatError('unknown label type');
    off += 1;
    if (len === 0) break;
    need(buf, off, len);
    labels.push(buf.toString('latin1', off, off + len));
    off += len;
  }
  if (!jumped) r.off = off;
  return labels.join('.');
}

function readRecord(buf: Buffer, r: { off: number }): ResourceRecord {
  const name = readName(buf, r);
  need(buf, r.off, 10);
  const type = buf.readUInt16BE(r.off);
  const cls = buf.readUInt16BE(r.off + 2);
  const ttl = buf.readUInt32BE(r.off + 4);
  const len = buf.readUInt16BE(r.off + 8);
  const start = r.off + 10;
  need(buf, start, len);
  r.off = start + len;
  return { name, type, class: cls, ttl, data: readData(buf, type, start, len) };
}

function readData(buf: Buffer, type: number, start: number, len: number): ResourceRecord['data'] {
  const at = { off: start };
  switch (type) {
    case TYPE.A:
      if (len !== 4) throw new DnsFormatError('A record of wrong length');
      return [...buf.subarray(start, start + 4)].join('.');
    case TYPE.AAAA:
      if (len !== 16) throw new DnsFormatError('AAAA record of wrong length');
      return ipv6ToString(buf.subarray(start, start + 16));
    case TYPE.CNAME:
    case TYPE.PTR:
    case TYPE.NS:
      return readName(buf, at);
    case TYPE.SRV:
      need(buf, start, 6);
      at.off = start + 6;
      return { priority: buf.readUInt16BE(start), weight: buf.readUInt16BE(start + 2), port: buf.readUInt16BE(start + 4), target: readName(buf, at) };
    case TYPE.SOA: {
      const mname = readName(buf, at);
      const rname = readName(buf, at);
      need(buf, at.off, 20);
      const n = (i: number): number => buf.readUInt32BE(at.off + 4 * i);
      return { mname, rname, serial: n(0), refresh: n(1), retry: n(2), expire: n(3), minimum: n(4) };
    }
    default:
      return Buffer.from(buf.subarray(start, start + len));
  }
}

function ipv6ToString(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}
