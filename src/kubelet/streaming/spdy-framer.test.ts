// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDeflate, constants as zconst, inflateSync } from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary.js';
import { encodeData, encodeSynReply, HeaderEncoder, SpdyFrameReader, SpdyType, FLAG_FIN } from './spdy-framer.js';
import { SpdySession, type SpdyStream } from './spdy-session.js';

/** Go's spdy framer compresses headers on one zlib stream with sync flushes; this reproduces that. */
function goStyleCompressor(): (plain: Buffer) => Promise<Buffer> {
  const z = createDeflate({ dictionary: SPDY3_DICTIONARY });
  const out: Buffer[] = [];
  z.on('data', (d: Buffer) => out.push(d));
  return (plain) => new Promise((resolve) => {
    z.write(plain);
    z.flush(zconst.Z_SYNC_FLUSH, () => setImmediate(() => resolve(Buffer.concat(out.splice(0)))));
  });
}

function headerBlock(h: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
  parts.push(u32(Object.keys(h).length));
  for (const [k, v] of Object.entries(h)) parts.push(u32(k.length), Buffer.from(k), u32(v.length), Buffer.from(v));
  return Buffer.concat(parts);
}

function synStream(id: number, compressed: Buffer, flags = 0): Buffer {
  const payload = Buffer.concat([Buffer.from([0, 0, 0, id, 0, 0, 0, 0, 0, 0]), compressed]);
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8003, 0);
  head.writeUInt16BE(SpdyType.SYN_STREAM, 2);
  head.writeUInt32BE((flags << 24) | payload.length, 4);
  return Buffer.concat([head, payload]);
}

test('the SPDY/3 dictionary has its specified size', () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423);
});

test('a session accepts streams compressed like Go does, across split chunks, and replies', async () => {
  const compress = goStyleCompressor();
  const sent: Buffer[] = [];
  const streams: SpdyStream[] = [];
  const session = new SpdySession({ send: (b) => sent.push(b), onstream: (s) => streams.push(s) });
  const f1 = synStream(1, await compress(headerBlock({ streamtype: 'error', port: '80', requestid: '0' })), FLAG_FIN);
  const f3 = synStream(3, await compress(headerBlock({ streamtype: 'data', port: '80', requestid: '0' })));
  const wire = Buffer.concat([f1, f3, encodeData(3, Buffer.from('GET / HTTP/1.0\r\n\r\n'), true)]);
  const got: string[] = [];
  for (let i = 0; i < wire.length; i += 7) {
    session.receive(wire.subarray(i, i + 7));
    if (streams[1] && !streams[1].ondata) streams[1].ondata = (d) => got.push(d.toString());
  }
  assert.deepEqual(streams.map((s) => [s.id, s.headers.streamtype, s.remoteClosed]), [[1, 'error', true], [3, 'data', true]]);
  assert.equal(got.join(''), 'GET / HTTP/1.0\r\n\r\n');
  // Our replies parse back with a fresh reader (stored-block header compression is valid zlib).
  const frames = new SpdyFrameReader().push(Buffer.concat(sent));
  assert.deepEqual(frames.map((f) => f.type), ['syn_reply', 'syn_reply']);
});

test('stored-block header encoding inflates with the dictionary', () => {
  const enc = new HeaderEncoder();
  const a = encodeSynReply(enc, 1, { x: 'y' });
  const b = encodeSynReply(enc, 3, {});
  const blocks = Buffer.concat([a.subarray(12), b.subarray(12)]);
  const plain = inflateSync(blocks, { dictionary: SPDY3_DICTIONARY, finishFlush: zconst.Z_SYNC_FLUSH });
  assert.equal(plain.length, 4 + 4 + 1 + 4 + 1 + 4);
});
