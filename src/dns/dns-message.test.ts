// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLASS_IN, DnsFormatError, optRecord, RCODE, TYPE, type DnsMessage } from './dns-message.js';
import { decodeMessage } from './dns-decode.js';
import { encodeMessage } from './dns-encode.js';

function message(over: Partial<DnsMessage> = {}): DnsMessage {
  return { id: 0x1234, qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: true, rcode: RCODE.NOERROR, questions: [{ name: 'web.default.svc.cluster.local', type: TYPE.A, class: CLASS_IN }], answers: [], authorities: [], additionals: [], ...over };
}

test('a query from the wire decodes (dig-style, with EDNS0)', () => {
  // dig +edns web.default.svc.cluster.local A, hand-assembled.
  const q = Buffer.from('abcd0120000100000000000103776562076465666175' + '6c740373766307636c7573746572056c6f63616c0000010001' + '0000291000000000000000', 'hex');
  const m = decodeMessage(q);
  assert.equal(m.id, 0xabcd);
  assert.equal(m.rd, true);
  assert.equal(m.qr, false);
  assert.deepEqual(m.questions, [{ name: 'web.default.svc.cluster.local', type: TYPE.A, class: CLASS_IN }]);
  assert.equal(m.additionals[0].type, TYPE.OPT);
  assert.equal(m.additionals[0].class, 4096);
});

test('every record type round-trips', () => {
  const m = message({
    answers: [
      { name: 'web.default.svc.cluster.local', type: TYPE.A, class: CLASS_IN, ttl: 5, data: '10.43.0.20' },
      { name: 'web.default.svc.cluster.local', type: TYPE.AAAA, class: CLASS_IN, ttl: 5, data: 'fd00::1' },
      { name: 'ext.default.svc.cluster.local', type: TYPE.CNAME, class: CLASS_IN, ttl: 5, data: 'example.com' },
      { name: '20.0.43.10.in-addr.arpa', type: TYPE.PTR, class: CLASS_IN, ttl: 5, data: 'web.default.svc.cluster.local' },
      { name: '_http._tcp.web.default.svc.cluster.local', type: TYPE.SRV, class: CLASS_IN, ttl: 5, data: { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' } },
      { name: 'x', type: TYPE.TXT, class: CLASS_IN, ttl: 5, data: Buffer.from('\x05hello') },
    ],
    authorities: [{ name: 'cluster.local', type: TYPE.SOA, class: CLASS_IN, ttl: 5, data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 7, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 } }],
    additionals: [optRecord(1232)],
  });
  assert.deepEqual(decodeMessage(encodeMessage(m)), m);
});

test('names are compressed against earlier names', () => {
  const answers = Array.from({ length: 10 }, (_, i) => ({ name: 'web.default.svc.cluster.local', type: TYPE.A, class: CLASS_IN, ttl: 5, data: `10.42.0.${i}` }));
  const wire = encodeMessage(message({ answers }));
  // Header 12 + question (31 name + 4) + 10 answers of (2 pointer + 10 fixed + 4 address).
  assert.equal(wire.length, 12 + 35 + 10 * 16);
  assert.equal(decodeMessage(wire).answers[9].name, 'web.default.svc.cluster.local');
});

test('a response over the size limit is truncated with TC, keeping the question and OPT', () => {
  const answers = Array.from({ length: 60 }, (_, i) => ({ name: 'web.default.svc.cluster.local', type: TYPE.A, class: CLASS_IN, ttl: 5, data: `10.42.0.${i}` }));
  const wire = encodeMessage(message({ answers, additionals: [optRecord(1232)] }), 512);
  const m = decodeMessage(wire);
  assert.equal(m.tc, true);
  assert.equal(m.answers.length, 0);
  assert.equal(m.questions.length, 1);
  assert.equal(m.additionals[0].type, TYPE.OPT);
  assert.equal(decodeMessage(encodeMessage(message({ answers }), 65535)).answers.length, 60);
});

test('malformed messages are refused', () => {
  assert.throws(() => decodeMessage(Buffer.alloc(5)), DnsFormatError);
  const loop = Buffer.from('000100000001000000000000c00c00010001', 'hex');
  assert.throws(() => decodeMessage(loop), DnsFormatError);
  const short = Buffer.from('00010000000100000000000003777777', 'hex');
  assert.throws(() => decodeMessage(short), DnsFormatError);
});
