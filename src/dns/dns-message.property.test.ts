// SPDX-License-Identifier: Apache-2.0
/**
 * Property tests of the DNS wire decoder on arbitrary datagrams (anyone on
 * the pod network can send them): a decode yields a message or throws
 * DnsFormatError (the server answers FORMERR), and a decoded message encodes
 * again without an exception.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { DnsFormatError } from './dns-message.js';
import { decodeMessage } from './dns-decode.js';
import { encodeMessage } from './dns-encode.js';

const seed = Number(process.env.SKIFF_FUZZ_SEED ?? 42);

/** A plausible header and question, then arbitrary bytes: reaches the name and record readers more often than noise. */
const datagram = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
  fc.tuple(fc.nat(0xffff), fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3), fc.uint8Array({ maxLength: 300 })).map(([id, qd, an, ns, ar, rest]) => {
    const h = Buffer.alloc(12);
    h.writeUInt16BE(id, 0);
    h.writeUInt16BE(0x0100, 2);
    h.writeUInt16BE(qd, 4);
    h.writeUInt16BE(an, 6);
    h.writeUInt16BE(ns, 8);
    h.writeUInt16BE(ar, 10);
    return Buffer.concat([h, Buffer.from(rest)]);
  }),
);

test('datagrams decode or throw DnsFormatError, and what decodes encodes', () => {
  fc.assert(
    fc.property(datagram, (d) => {
      let m;
      try {
        m = decodeMessage(d);
      } catch (err) {
        if (err instanceof DnsFormatError) return;
        throw err;
      }
      encodeMessage(m, 512);
    }),
    { seed, numRuns: 10000 },
  );
});

test('a compression pointer loop is a format error, not a hang', () => {
  // Header with one question whose name is a pointer to itself (offset 12).
  const d = Buffer.from('000101000001000000000000c00c00010001', 'hex');
  fc.assert(
    fc.property(fc.constant(d), (x) => {
      try {
        decodeMessage(x);
      } catch (err) {
        if (!(err instanceof DnsFormatError)) throw err;
      }
    }),
    { seed, numRuns: 1 },
  );
});
