// SPDX-License-Identifier: Apache-2.0
/**
 * A minimal SPDY/3.1 framer: the frames k8s.io/apimachinery's SPDY streams
 * (moby/spdystream) exchange — SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS,
 * PING, GOAWAY, HEADERS, WINDOW_UPDATE and DATA — and the zlib-compressed
 * name/value header blocks. Frames are parsed incrementally from a byte
 * stream that may split them anywhere (kubectl tunnels them in WebSocket
 * messages without aligning frames to messages).
 */
import { deflateSync, inflateSync, constants as zconst } from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary.js';

/** Control frame types of SPDY/3. */
export const SpdyType = {
  SYN_STREAM: 1, SYN_REPLY: 2, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, HEADERS: 8, WINDOW_UPDATE: 9,
} as const;

/** FLAG_FIN ends the sender's half of a stream (DATA, SYN_STREAM, SYN_REPLY, HEADERS). */
export const FLAG_FIN = 0x01;

/** RST_STREAM status codes used here. */
export const RstStatus = { PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, CANCEL: 5, INTERNAL_ERROR: 6 } as const;

/** SpdyHeaders are a decoded header block: lowercase names, NUL-joined multiple values. */
export type SpdyHeaders = Record<string, string>;

/** SpdyFrame is one decoded frame. */
export type SpdyFrame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedId: number; flags: number; headers: SpdyHeaders }
  | { type: 'syn_reply' | 'headers'; streamId: number; flags: number; headers: SpdyHeaders }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'window_update'; streamId: number; delta: number }
  | { type: 'settings' | 'unknown'; flags: number };

/** SpdyProtocolError is a malformed frame or header block; the session ends with GOAWAY. */
export class SpdyProtocolError extends Error {
  override readonly name = 'SpdyProtocolError';
}

// Header blocks from the peer share one zlib stream. Node has no synchronous
// streaming inflate, so we keep the compressed bytes and inflate the whole
// stream again each time; header blocks are tiny and few (two per forwarded
// connection), and the cap keeps a hostile peer from making it quadratic.
const MAX_HEADER_STREAM = 1 << 20;

/** HeaderDecoder decodes the peer's compressed header blocks, in order. */
export class HeaderDecoder {
  #compressed: Buffer[] = [];
  #total = 0;
  #produced = 0;

  decode(block: Buffer): SpdyHeaders {
    this.#total += block.length;
    if (this.#total > MAX_HEADER_STREAM) throw new SpdyProtocolError('header compression stream too long');
    this.#compressed.push(block);
    let plain: Buffer;
    try {
      // Bounded output too: a few KiB of deflate can inflate to gigabytes.
      plain = inflateSync(Buffer.concat(this.#compressed), { dictionary: SPDY3_DICTIONARY, finishFlush: zconst.Z_SYNC_FLUSH, maxOutputLength: MAX_HEADER_STREAM });
    } catch (err) {
      throw new SpdyProtocolError(`bad header block: ${(err as Error).message}`);
    }
    const fresh = plain.subarray(this.#produced);
    this.#produced = plain.length;
    return parseHeaderBlock(fresh);
  }
}

/**
 * HeaderEncoder writes header blocks as zlib *stored* (uncompressed) blocks:
 * valid continuations of one zlib stream for any SPDY peer, with no shared
 * compressor state to keep in sync.
 */
export class HeaderEncoder {
  #started = false;

  encode(headers: SpdyHeaders): Buffer {
    const plain = headerBlock(headers);
    const parts: Buffer[] = [];
    if (!this.#started) {
      // A zlib header announcing the SPDY dictionary (its Adler-32), as peers expect.
      parts.push(deflateSync(Buffer.alloc(0), { dictionary: SPDY3_DICTIONARY }).subarray(0, 6));
      this.#started = true;
    }
    for (let off = 0; off < plain.length || off === 0; off += 0xffff) {
      const piece = plain.subarray(off, off + 0xffff);
      const head = Buffer.alloc(5);
      head[0] = 0; // BFINAL=0, BTYPE=00 (stored); we are always byte-aligned here
      head.writeUInt16LE(piece.length, 1);
      head.writeUInt16LE(~piece.length & 0xffff, 3);
      parts.push(head, piece);
      if (plain.length === 0) break;
    }
    // An empty stored block, as zlib's Z_SYNC_FLUSH writes: Go's flate reader hands out a
    // stored block's bytes only when the next block starts, and must not read past this frame.
    parts.push(SYNC_MARKER);
    return Buffer.concat(parts);
  }
}

const SYNC_MARKER = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

function headerBlock(headers: SpdyHeaders): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [k, v] of entries) {
    const name = Buffer.from(k.toLowerCase(), 'utf8');
    const value = Buffer.from(v, 'utf8');
    parts.push(u32(name.length), name, u32(value.length), value);
  }
  return Buffer.concat(parts);
}

function parseHeaderBlock(b: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = {};
  if (b.length < 4) throw new SpdyProtocolError('short header block');
  const n = b.readUInt32BE(0);
  let off = 4;
  const field = (): string => {
    if (off + 4 > b.length) throw new SpdyProtocolError('short header block');
    const len = b.readUInt32BE(off);
    off += 4;
    if (off + len > b.length) throw new SpdyProtocolError('short header block');
    const s = b.toString('utf8', off, off + len);
    off += len;
    return s;
  };
  for (let i = 0; i < n; i++) {
    const name = field();
    headers[name] = field();
  }
  return headers;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | 3, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
  return Buffer.concat([head, payload]);
}

/** encodeData builds a DATA frame. */
export function encodeData(streamId: number, data: Buffer, fin = false): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24) | data.length, 4);
  return Buffer.concat([head, data]);
}

/** encodeSynReply builds a SYN_REPLY frame (the answer to a peer's SYN_STREAM). */
export function encodeSynReply(enc: HeaderEncoder, streamId: number, headers: SpdyHeaders = {}, fin = false): Buffer {
  return controlFrame(SpdyType.SYN_REPLY, fin ? FLAG_FIN : 0, Buffer.concat([u32(streamId & 0x7fffffff), enc.encode(headers)]));
}

/** encodeSynStream builds a SYN_STREAM frame (opening a stream). */
export function encodeSynStream(enc: HeaderEncoder, streamId: number, headers: SpdyHeaders, fin = false): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt32BE(streamId & 0x7fffffff, 0);
  return controlFrame(SpdyType.SYN_STREAM, fin ? FLAG_FIN : 0, Buffer.concat([fixed, enc.encode(headers)]));
}

/** encodeRstStream builds a RST_STREAM frame. */
export function encodeRstStream(streamId: number, status: number): Buffer {
  return controlFrame(SpdyType.RST_STREAM, 0, Buffer.concat([u32(streamId & 0x7fffffff), u32(status)]));
}

/** encodePing builds a PING frame (a reply echoes the peer's id). */
export function encodePing(id: number): Buffer {
  return controlFrame(SpdyType.PING, 0, u32(id));
}

/** encodeGoAway builds a GOAWAY frame. */
export function encodeGoAway(lastGoodStreamId: number, status = 0): Buffer {
  return controlFrame(SpdyType.GOAWAY, 0, Buffer.concat([u32(lastGoodStreamId & 0x7fffffff), u32(status)]));
}

/** encodeWindowUpdate builds a WINDOW_UPDATE frame. */
export function encodeWindowUpdate(streamId: number, delta: number): Buffer {
  return controlFrame(SpdyType.WINDOW_UPDATE, 0, Buffer.concat([u32(streamId & 0x7fffffff), u32(delta & 0x7fffffff)]));
}

/** SpdyFrameReader turns a byte stream into frames, keeping partial frames between chunks. */
export class SpdyFrameReader {
  #buf: Buffer = Buffer.alloc(0);
  readonly #headers = new HeaderDecoder();

  /** push adds bytes and returns every frame they complete. */
  push(chunk: Buffer): SpdyFrame[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const frames: SpdyFrame[] = [];
    while (this.#buf.length >= 8) {
      const len = this.#buf.readUInt32BE(4) & 0xffffff;
      if (this.#buf.length < 8 + len) break;
      const frame = this.#buf.subarray(0, 8 + len);
      this.#buf = this.#buf.subarray(8 + len);
      frames.push(this.#decode(frame));
    }
    return frames;
  }

  #decode(f: Buffer): SpdyFrame {
    const flags = f[4];
    const p = f.subarray(8);
    if ((f[0] & 0x80) === 0) return { type: 'data', streamId: f.readUInt32BE(0) & 0x7fffffff, flags, data: Buffer.from(p) };
    const version = f.readUInt16BE(0) & 0x7fff;
    if (version !== 3) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
    const need = (n: number): void => {
      if (p.length < n) throw new SpdyProtocolError(`control frame ${f.readUInt16BE(2)} too short`);
    };
    switch (f.readUInt16BE(2)) {
      case SpdyType.SYN_STREAM:
        need(10);
        return { type: 'syn_stream', streamId: p.readUInt32BE(0) & 0x7fffffff, associatedId: p.readUInt32BE(4) & 0x7fffffff, flags, headers: this.#headers.decode(p.subarray(10)) };
      case SpdyType.SYN_REPLY:
      case SpdyType.HEADERS:
        need(4);
        return { type: f.readUInt16BE(2) === SpdyType.SYN_REPLY ? 'syn_reply' : 'headers', streamId: p.readUInt32BE(0) & 0x7fffffff, flags, headers: this.#headers.decode(p.subarray(4)) };
      case SpdyType.RST_STREAM:
        need(8);
        return { type: 'rst_stream', streamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
      case SpdyType.PING:
        need(4);
        return { type: 'ping', id: p.readUInt32BE(0) };
      case SpdyType.GOAWAY:
        need(8);
        return { type: 'goaway', lastGoodStreamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
      case SpdyType.WINDOW_UPDATE:
        need(8);
        return { type: 'window_update', streamId: p.readUInt32BE(0) & 0x7fffffff, delta: p.readUInt32BE(4) & 0x7fffffff };
      case SpdyType.SETTINGS:
        return { type: 'settings', flags };
      default:
        return { type: 'unknown', flags };
    }
  }
}
