// SPDX-License-Identifier: Apache-2.0
/**
 * Encoding DNS messages: name compression (RFC 1035 §4.1.4) and, for UDP,
 * truncation to header, question and OPT with TC set so the client retries
 * over TCP (RFC 1035 §4.2.1, RFC 7766).
 */
import { DnsFormatError, TYPE, type DnsMessage, type ResourceRecord, type SoaData, type SrvData } from './dns-message.js';

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
