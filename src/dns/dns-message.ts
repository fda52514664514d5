// SPDX-License-Identifier: Apache-2.0
/**
 * The DNS wire format (RFC 1035 §4, SRV from RFC 2782, EDNS0 OPT from RFC
 * 6891): decoding queries and answers, encoding responses with name
 * compression and truncation. Only what a cluster DNS server needs; record
 * types it does not interpret travel as raw bytes.
 */

/** RR types the server knows by name. */
export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, ANY: 255 } as const;
/** CLASS_IN is the Internet class, the only one served. */
export const CLASS_IN = 1;
/** RCODE values used in responses. */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** SrvData is the RDATA of an SRV record. */
export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

/** SoaData is the RDATA of an SOA record. */
export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

/**
 * ResourceRecord is one record. `data` is an address for A/AAAA, a domain
 * name for CNAME/PTR/NS, SrvData, SoaData, or raw RDATA for anything else
 * (including OPT, whose class is the UDP payload size and ttl the extended
 * flags).
 */
export interface ResourceRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  data: string | SrvData | SoaData | Buffer;
}

/** Question is one entry of the question section. */
export interface Question {
  name: string;
  type: number;
  class: number;
}

/** DnsMessage is a whole query or response. */
export interface DnsMessage {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  rcode: number;
  questions: Question[];
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  additionals: ResourceRecord[];
}

/** DnsFormatError is a message that cannot be parsed (answered with FORMERR). */
export class DnsFormatError extends Error {}

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

/** Writer appends wire data, remembering where names were written for compression. */
class Writer {
  buf = Buffer.alloc(512);
  len = 0;
  readonly #names = new Map<string, number>();

  #grow(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  u8(v: number): void {
    this.#grow(1);
    this.buf[this.len++] = v;
  }

  u16(v: number): void {
    this.#grow(2);
    this.buf.writeUInt16BE(v, this.len);
    this.len += 2;
  }

  u32(v: number): void {
    this.#grow(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
  }

  bytes(b: Uint8Array): void {
    this.#grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** name writes a domain name, pointing at an earlier copy of its longest known suffix (RFC 1035 §4.1.4). */
  name(name: string, compress = true): void {
    const labels = name === '' || name === '.' ? [] : name.replace(/\.$/, '').split('.');
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const at = this.#names.get(suffix);
      if (compress && at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      if (this.len < 0x4000) this.#names.set(suffix, this.len);
      const label = Buffer.from(labels[i], 'latin1');
      if (label.length === 0 || label.length > 63) throw new DnsFormatError(`bad label in ${JSON.stringify(name)}`);
      this.u8(label.length);
      this.bytes(label);
    }
    this.u8(0);
  }
}

function writeRecord(w: Writer, rr: ResourceRecord): void {
  w.name(rr.name);
  w.u16(rr.type);
  w.u16(rr.class);
  w.u32(rr.ttl);
  const lenAt = w.len;
  w.u16(0);
  const d = rr.data;
  if (Buffer.isBuffer(d)) w.bytes(d);
  else if (rr.type === TYPE.A) w.bytes(Uint8Array.from((d as string).split('.').map(Number)));
  else if (rr.type === TYPE.AAAA) w.bytes(ipv6ToBytes(d as string));
  else if (rr.type === TYPE.SRV) {
    const s = d as SrvData;
    w.u16(s.priority);
    w.u16(s.weight);
    w.u16(s.port);
    // RFC 2782: the SRV target is never compressed.
    w.name(s.target, false);
  } else if (rr.type === TYPE.SOA) {
    const s = d as SoaData;
    w.name(s.mname);
    w.name(s.rname);
    for (const v of [s.serial, s.refresh, s.retry, s.expire, s.minimum]) w.u32(v);
  } else w.name(d as string);
  w.buf.writeUInt16BE(w.len - lenAt - 2, lenAt);
}

function ipv6ToBytes(s: string): Uint8Array {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/**
 * encodeMessage writes a message. With maxSize (UDP), a response that does
 * not fit is cut to its header, question and OPT record with TC set, so the
 * client retries over TCP (RFC 1035 §4.2.1, RFC 7766).
 */
export function encodeMessage(msg: DnsMessage, maxSize?: number): Buffer {
  const out = encodeWhole(msg);
  if (maxSize === undefined || out.length <= maxSize) return out;
  const opt = msg.additionals.filter((r) => r.type === TYPE.OPT);
  return encodeWhole({ ...msg, tc: true, answers: [], authorities: [], additionals: opt });
}

function encodeWhole(msg: DnsMessage): Buffer {
  const w = new Writer();
  w.u16(msg.id);
  let flags = (msg.opcode & 0xf) << 11 | (msg.rcode & 0xf);
  if (msg.qr) flags |= 0x8000;
  if (msg.aa) flags |= 0x0400;
  if (msg.tc) flags |= 0x0200;
  if (msg.rd) flags |= 0x0100;
  if (msg.ra) flags |= 0x0080;
  w.u16(flags);
  for (const n of [msg.questions.length, msg.answers.length, msg.authorities.length, msg.additionals.length]) w.u16(n);
  for (const q of msg.questions) {
    w.name(q.name);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const rr of [...msg.answers, ...msg.authorities, ...msg.additionals]) writeRecord(w, rr);
  return Buffer.from(w.buf.subarray(0, w.len));
}

/** optRecord is the EDNS0 OPT pseudo-record advertising our UDP payload size. */
export function optRecord(udpSize: number): ResourceRecord {
  return { name: '', type: TYPE.OPT, class: udpSize, ttl: 0, data: Buffer.alloc(0) };
}
