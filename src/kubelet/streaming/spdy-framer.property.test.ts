// SPDX-License-Identifier: Apache-2.0
/**
 * Property tests of the SPDY/3.1 frame reader (kubectl port-forward and
 * legacy exec streams) on arbitrary bytes split at arbitrary points: it
 * yields frames or throws SpdyProtocolError, never another exception, and
 * frames it wrote itself come back whole however the stream is cut.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { HeaderEncoder, SpdyFrameReader, SpdyProtocolError, encodeData, encodePing, encodeRstStream, encodeSynStream, encodeWindowUpdate } from './spdy-framer.js';
import { SPDY3_DICTIONARY } from './spdy-dictionary.js';

const seed = Number(process.env.SKIFF_FUZZ_SEED ?? 42);

function feed(chunks: Uint8Array[]): number {
  const r = new SpdyFrameReader();
  let n = 0;
  try {
    for (const c of chunks) n += r.push(Buffer.from(c)).length;
  } catch (err) {
    if (!(err instanceof SpdyProtocolError)) throw err;
  }
  return n;
}

test('arbitrary bytes give frames or SpdyProtocolError', () => {
  const controlHeader = fc.tuple(fc.constantFrom(1, 2, 3, 6, 7, 8, 9, 99), fc.nat(255), fc.nat(64)).map(([type, flags, len]) => Buffer.from([0x80, 0x03, 0, type, flags, 0, 0, len]));
  const chunk = fc.oneof(fc.uint8Array({ maxLength: 100 }), controlHeader.map((b) => new Uint8Array(b)));
  fc.assert(fc.property(fc.array(chunk, { maxLength: 8 }), (chunks) => void feed(chunks)), { seed, numRuns: 5000 });
});

test('written frames are read back whole however the stream is split', () => {
  const enc = new HeaderEncoder();
  const frames = [encodeSynStream(enc, 1, { streamtype: 'data', port: '80' }), encodeData(1, Buffer.from('hello')), encodePing(7), encodeWindowUpdate(1, 100), encodeRstStream(1, 5)];
  const all = Buffer.concat(frames);
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: all.length - 1 }), { maxLength: 6 }), (cuts) => {
      const points = [0, ...cuts.sort((a, b) => a - b), all.length];
      const chunks = points.slice(1).map((end, i) => all.subarray(points[i], end));
      assert.equal(feed(chunks), frames.length);
    }),
    { seed, numRuns: 500 },
  );
});

test('a header block that inflates to a bomb is refused, not inflated', () => {
  // 64 MiB of zeros deflates to about 64 KiB: well under the compressed cap.
  const bomb = deflateSync(Buffer.alloc(64 * 1024 * 1024), { dictionary: SPDY3_DICTIONARY });
  const payload = Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), bomb]);
  const head = Buffer.from([0x80, 0x03, 0, 1, 0, (payload.length >> 16) & 0xff, (payload.length >> 8) & 0xff, payload.length & 0xff]);
  assert.throws(() => new SpdyFrameReader().push(Buffer.concat([head, payload])), SpdyProtocolError);
});
